package patchwork

import (
	"regexp"
	"strings"
	"time"
)

var (
	phoneChars  = regexp.MustCompile(`^[0-9+() \-]{6,30}$`)
	postcodeFmt = regexp.MustCompile(`^[A-Za-z0-9 ]{2,10}$`)
)

// NormalizeAliases trims alias lines, drops blanks and duplicates.
func NormalizeAliases(lines []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		k := strings.ToLower(l)
		if l == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, l)
	}
	return out
}

// Validate normalises c in place (cleaning, aliases, date format) and
// returns EINVALID with a message per wrong field. dobInput is the date as
// typed; it is parsed into c.DateOfBirth. Every text field is checked for
// bytes that cannot be stored and for its length (see input.go).
func (c *Client) Validate(dobInput string, now time.Time) error {
	f := fields{}
	if f.name("first_name", &c.FirstName, MaxNameLength, "First name") && c.FirstName == "" {
		f.set("first_name", "Enter the client's first name")
	}
	if f.name("last_name", &c.LastName, MaxNameLength, "Last name") && c.LastName == "" {
		f.set("last_name", "Enter the client's last name")
	}
	switch {
	case !f.line("date_of_birth", &dobInput, 20, "Date of birth"):
	case dobInput == "":
		c.DateOfBirth = ""
		f.set("date_of_birth", "Enter the client's date of birth")
	default:
		if dob, err := ParseDateOfBirth(dobInput, now); err != nil {
			f.set("date_of_birth", err.Error())
		} else {
			c.DateOfBirth = dob
		}
	}
	f.text("address", &c.Address, MaxAddressLength, "Address")
	if f.line("postcode", &c.Postcode, MaxPostcodeLength, "Postcode") {
		c.Postcode = strings.ToUpper(strings.Join(strings.Fields(c.Postcode), " "))
		if c.Postcode != "" && !postcodeFmt.MatchString(c.Postcode) {
			f.set("postcode", "Enter a real postcode, like SW1A 1AA or 3000")
		}
	}
	if f.line("phone", &c.Phone, MaxPhoneLength, "Phone") && c.Phone != "" && !phoneChars.MatchString(c.Phone) {
		f.set("phone", "Enter a phone number, like 07700 900 982")
	}
	for i := range c.Aliases {
		if !f.name("aliases", &c.Aliases[i], MaxFullNameLength, "Each other name") {
			break
		}
	}
	if f["aliases"] == "" {
		c.Aliases = NormalizeAliases(c.Aliases)
		if len(c.Aliases) > MaxAliases {
			f.set("aliases", "Enter 20 other names or fewer")
		}
	}
	return Invalid(f)
}
