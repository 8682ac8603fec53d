//! AutoMTLS: a fresh server certificate per process and a client certificate pinned to the one
//! Terraform passed in `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's client certificate is a self-signed ECDSA P-521 *CA* certificate. Two stock
//! choices fail on it: ring cannot verify P-521 (the Go client then silently sends no
//! certificate), and webpki's `WebPkiClientVerifier` rejects a CA certificate used as an end
//! entity. So the verifier below compares the presented DER byte for byte with the pinned one
//! and checks handshake signatures with the aws-lc-rs algorithms, which include P-521.

use std::sync::Arc;

use rustls::DigitallySignedStruct;
use rustls::DistinguishedName;
use rustls::SignatureScheme;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, aws_lc_rs};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use tokio_rustls::TlsAcceptor;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("could not generate the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("PLUGIN_CLIENT_CERT holds no PEM certificate: {0}")]
    ClientCertPem(String),
    #[error("could not build the TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The aws-lc-rs provider: the only rustls provider that verifies P-521 signatures.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(aws_lc_rs::default_provider())
}

/// A self-signed server certificate and its key, made fresh for each process.
pub struct ServerIdentity {
    pub cert_der: CertificateDer<'static>,
    pub cert_pem: String,
    key_der: PrivatePkcs8KeyDer<'static>,
}

impl std::fmt::Debug for ServerIdentity {
    // The private key stays out of Debug output, so it can never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerIdentity")
            .field("cert_pem", &self.cert_pem)
            .finish_non_exhaustive()
    }
}

/// Generates the server certificate: ECDSA P-256, SAN DNS `localhost` (Go ≥ 1.15 ignores the CN
/// for hostname checks), server-auth EKU. It is deliberately *not* a CA, so rustls clients such
/// as the in-process tests can trust it directly as well as Go.
pub fn generate_server_identity() -> Result<ServerIdentity, TlsError> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "terraform-provider-harbor");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.self_signed(&key)?;
    Ok(ServerIdentity {
        cert_der: cert.der().clone(),
        cert_pem: cert.pem(),
        key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
    })
}

/// Parses the first certificate of a PEM bundle (`PLUGIN_CLIENT_CERT`).
pub fn parse_client_cert_pem(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| TlsError::ClientCertPem(e.to_string()))
}

/// Accepts exactly one client certificate, compared byte for byte, and nothing else.
#[derive(Debug)]
pub struct PinnedClientCert {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    pub fn new(pinned: CertificateDer<'static>) -> Self {
        Self {
            pinned,
            algorithms: aws_lc_rs::default_provider().signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    // No hints: an empty list tells the client to send whatever certificate it has.
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // Pinning replaces path building; expiry is irrelevant for a certificate the host made
        // for this one process and handed over out of band.
        if intermediates.is_empty() && end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The rustls server configuration: our certificate, the pinned client certificate required,
/// ALPN `h2` (grpc-go ≥ 1.67 refuses a server that does not negotiate it).
pub fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let mut config = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(PinnedClientCert::new(client_cert)))
        .with_single_cert(
            vec![identity.cert_der.clone()],
            PrivateKeyDer::Pkcs8(identity.key_der.clone_key()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Everything the server needs for AutoMTLS.
pub struct AutoMtls {
    pub acceptor: TlsAcceptor,
    pub identity: ServerIdentity,
}

/// Sets up AutoMTLS for the client certificate the host passed in `PLUGIN_CLIENT_CERT`.
pub fn auto_mtls(client_cert_pem: &str) -> Result<AutoMtls, TlsError> {
    let client_cert = parse_client_cert_pem(client_cert_pem)?;
    let identity = generate_server_identity()?;
    let config = server_config(&identity, client_cert)?;
    Ok(AutoMtls {
        acceptor: TlsAcceptor::from(config),
        identity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_certificate_names_localhost() {
        let id = generate_server_identity().unwrap();
        assert!(id.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        // The SAN dNSName "localhost" appears verbatim in the DER.
        assert!(id.cert_der.as_ref().windows(9).any(|w| w == b"localhost"));
    }

    #[test]
    fn verifier_accepts_only_the_pinned_certificate() {
        let a = generate_server_identity().unwrap().cert_der;
        let b = generate_server_identity().unwrap().cert_der;
        let v = PinnedClientCert::new(a.clone());
        assert!(v.client_auth_mandatory());
        assert!(v.verify_client_cert(&a, &[], UnixTime::now()).is_ok());
        assert!(v.verify_client_cert(&b, &[], UnixTime::now()).is_err());
        assert!(
            v.supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512),
            "P-521 is what Terraform's client certificate uses"
        );
    }

    #[test]
    fn rejects_a_pem_without_certificate() {
        assert!(matches!(
            parse_client_cert_pem("nothing here"),
            Err(TlsError::ClientCertPem(_))
        ));
    }
}
