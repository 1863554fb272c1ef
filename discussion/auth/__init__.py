"""Staff accounts: the accounts themselves, who may do what, logging in, and the `users` command.

Readers never need an account.
"""
