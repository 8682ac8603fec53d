//! A typed client for the Harbor v2.0 REST API. No Terraform types in here, ever.
