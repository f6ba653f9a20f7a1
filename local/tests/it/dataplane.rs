//! The data plane (placeholder until its tests land).
