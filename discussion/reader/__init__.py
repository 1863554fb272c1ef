"""What readers see: the post pages with their threads (views), the forms, the Atom feeds."""
