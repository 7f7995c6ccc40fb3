"""Awards: grants offered on ratification, accepted or declined by grantees, and paid."""
