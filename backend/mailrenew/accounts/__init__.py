"""Users, organizations, memberships, personal access tokens, sessions and the permission rules."""
