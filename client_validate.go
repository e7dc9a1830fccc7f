package patchwork

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	isoDate     = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	dayFirst    = regexp.MustCompile(`^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$`)
	phoneChars  = regexp.MustCompile(`^[0-9+() \-]{6,30}$`)
	postcodeFmt = regexp.MustCompile(`^[A-Za-z0-9 ]{2,10}$`)
)

// ParseDateOfBirth parses a date of birth typed as YYYY-MM-DD or DD/MM/YYYY
// (day first, as in the UK and Australia) and returns it as YYYY-MM-DD. It
// rejects impossible dates and dates after now.
func ParseDateOfBirth(s string, now time.Time) (string, error) {
	s = strings.TrimSpace(s)
	var y, m, d string
	if p := isoDate.FindStringSubmatch(s); p != nil {
		y, m, d = p[1], p[2], p[3]
	} else if p := dayFirst.FindStringSubmatch(s); p != nil {
		d, m, y = p[1], p[2], p[3]
	} else {
		return "", fmt.Errorf("Enter the date of birth as DD/MM/YYYY, for example 27/03/2012")
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if t.Year() != yi || int(t.Month()) != mi || t.Day() != di {
		return "", fmt.Errorf("Date of birth must be a real date")
	}
	if t.After(now) {
		return "", fmt.Errorf("Date of birth must be in the past")
	}
	if yi < 1900 {
		return "", fmt.Errorf("Date of birth must be after 1900")
	}
	return t.Format(time.DateOnly), nil
}

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
