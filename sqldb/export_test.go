package sqldb

// IsUniqueViolation exposes isUniqueViolation to the black-box tests.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }
