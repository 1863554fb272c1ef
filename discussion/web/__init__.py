"""What every request goes through, whatever page or API it asks for: bad-input guards and
error pages, security headers, rate limits, the language, cookies, forms and pagination."""
