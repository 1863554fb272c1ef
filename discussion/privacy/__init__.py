"""Readers' data rights and what Samtal keeps how long: a reader's download and erasure of what
is held about their address (by a signed e-mail link, or by an admin), and the retention of IP
address hashes."""
