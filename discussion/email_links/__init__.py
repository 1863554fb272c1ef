"""The pages an e-mail's links open: verify an address, confirm replies, unsubscribe."""
