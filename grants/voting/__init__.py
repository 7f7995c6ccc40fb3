"""Voting: members' ballots (online and paper), turnout and reminders. Ballots are secret."""
