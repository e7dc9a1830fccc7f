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
	phoneChars  = regexp.MustCompile(`^[0-9+() \-]{6,20}$`)
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

// Validate normalises c in place (trimming, aliases, date format) and
// returns EINVALID with a message per wrong field. dobInput is the date as
// typed; it is parsed into c.DateOfBirth.
func (c *Client) Validate(dobInput string, now time.Time) error {
	f := map[string]string{}
	c.FirstName = strings.Join(strings.Fields(c.FirstName), " ")
	c.LastName = strings.Join(strings.Fields(c.LastName), " ")
	c.Address = strings.TrimSpace(c.Address)
	c.Postcode = strings.ToUpper(strings.Join(strings.Fields(c.Postcode), " "))
	c.Phone = strings.TrimSpace(c.Phone)
	c.Aliases = NormalizeAliases(c.Aliases)
	switch {
	case c.FirstName == "":
		f["first_name"] = "Enter the client's first name"
	case len(c.FirstName) > 100:
		f["first_name"] = "First name must be 100 characters or fewer"
	}
	switch {
	case c.LastName == "":
		f["last_name"] = "Enter the client's last name"
	case len(c.LastName) > 100:
		f["last_name"] = "Last name must be 100 characters or fewer"
	}
	if strings.TrimSpace(dobInput) == "" {
		c.DateOfBirth = ""
		f["date_of_birth"] = "Enter the client's date of birth"
	} else if dob, err := ParseDateOfBirth(dobInput, now); err != nil {
		f["date_of_birth"] = err.Error()
	} else {
		c.DateOfBirth = dob
	}
	if len(c.Address) > 300 {
		f["address"] = "Address must be 300 characters or fewer"
	}
	if c.Postcode != "" && !postcodeFmt.MatchString(c.Postcode) {
		f["postcode"] = "Enter a real postcode, like SW1A 1AA or 3000"
	}
	if c.Phone != "" && !phoneChars.MatchString(c.Phone) {
		f["phone"] = "Enter a phone number, like 07700 900 982"
	}
	if len(c.Aliases) > 20 {
		f["aliases"] = "Enter 20 other names or fewer"
	}
	for _, a := range c.Aliases {
		if len(a) > 200 {
			f["aliases"] = "Each other name must be 200 characters or fewer"
		}
	}
	return Invalid(f)
}
