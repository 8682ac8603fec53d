//! In-memory emulator of the Harbor v2.15 REST API.
