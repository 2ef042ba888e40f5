"""Services: what front ends and jobs call to get things done.

Each service takes the `Database` and plain arguments, validates user input (raising
`domain.errors` types with messages safe to show), and returns domain types from `domain.types`.
Front ends never open a session themselves.
"""
