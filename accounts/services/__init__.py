"""The accounts app's rules: invitations, two-factor, sessions, lockouts (one module each)."""
