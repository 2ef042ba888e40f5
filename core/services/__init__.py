"""Services: what front ends and jobs call. They speak domain types and our errors, never SQL."""
