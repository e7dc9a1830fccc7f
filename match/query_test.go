package match

import (
	"reflect"
	"testing"
	"time"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in   string
		want Query
	}{
		{"John Smith", Query{Names: []string{"john", "smith"}}},
		{"john smith 1/2/2010", Query{Names: []string{"john", "smith"}, Date: DateQuery{2010, 2, 1}}},
		{"Smith, John 1 Feb 2010", Query{Names: []string{"smith", "john"}, Date: DateQuery{2010, 2, 1}}},
		{"1 February 2010 Smith", Query{Names: []string{"smith"}, Date: DateQuery{2010, 2, 1}}},
		{"Kate O'Brien Feb 1980", Query{Names: []string{"kate", "obrien"}, Date: DateQuery{1980, 2, 0}}},
		{"smith 1985", Query{Names: []string{"smith"}, Date: DateQuery{1985, 0, 0}}},
		{"Smith-Jones 2010-02-01", Query{Names: []string{"smith", "jones"}, Date: DateQuery{2010, 2, 1}}},
		{"smith SW1A 1AA", Query{Names: []string{"smith"}, Postcode: "SW1A 1AA"}},
		{"smith sw1a1aa", Query{Names: []string{"smith"}, Postcode: "SW1A 1AA"}},
		{"jones M1 1AE 3/4/1990", Query{Names: []string{"jones"}, Date: DateQuery{1990, 4, 3}, Postcode: "M1 1AE"}},
		{"jones M1", Query{Names: []string{"jones"}, Postcode: "M1"}},
		{"nguyen SW1A", Query{Names: []string{"nguyen"}, Postcode: "SW1A"}},
		{"nguyen 3000", Query{Names: []string{"nguyen"}, Postcode: "3000"}},
		{"nguyen 1985 3000", Query{Names: []string{"nguyen"}, Date: DateQuery{1985, 0, 0}, Postcode: "3000"}},
		// A four-digit number that could be a year is a year, even Sydney's 2000.
		{"nguyen 2000", Query{Names: []string{"nguyen"}, Date: DateQuery{2000, 0, 0}}},
		{"le 1/2/10 2000", Query{Names: []string{"le"}, Date: DateQuery{2010, 2, 1}, Postcode: "2000"}},
		// May is kept as a name when it only gave a month to a date.
		{"Smith May 1980", Query{Names: []string{"smith", "may"}, Date: DateQuery{1980, 5, 0}}},
		{"May Smith 1 May 1980", Query{Names: []string{"may", "smith"}, Date: DateQuery{1980, 5, 1}}},
		{"smith 31/02/2010", Query{Names: []string{"smith"}, Other: []string{"31/02/2010"}}},
		{"smith 12345", Query{Names: []string{"smith"}, Other: []string{"12345"}}},
		{"1/2/2010", Query{Date: DateQuery{2010, 2, 1}}},
		{"", Query{}},
		{"   ", Query{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := ParseQuery(tt.in, testNow)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseQuery(%q) =\n %#v\nwant\n %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormQuery(t *testing.T) {
	tests := []struct {
		given, family, dob string
		want               Query
	}{
		{"Mary-Anne", "O'Brien", "1980-02-01", Query{Names: []string{"mary", "anne", "obrien"}, Date: DateQuery{1980, 2, 1}, GivenWords: 2}},
		{"Kate", "Smith", "", Query{Names: []string{"kate", "smith"}, GivenWords: 1}},
		{"Kate", "Smith", "01/02/1980", Query{Names: []string{"kate", "smith"}, GivenWords: 1}},
		{"", "", "", Query{}},
	}
	for _, tt := range tests {
		t.Run(tt.given+" "+tt.family, func(t *testing.T) {
			got := FormQuery(tt.given, tt.family, tt.dob)
			if len(got.Names) == 0 {
				got.Names = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FormQuery(%q, %q, %q) = %#v, want %#v", tt.given, tt.family, tt.dob, got, tt.want)
			}
		})
	}
	s, _ := Score(FormQuery("Catherine", "Smith", "1980-02-01"), Candidate{Given: "Kate", Family: "Smith", DOB: "1980-02-01"})
	if Level(s) != "likely" {
		t.Errorf("form duplicate check scored %v", s)
	}
}

// TestTypedNames covers what a search carries into the add-client form:
// the name words as typed, without the date, the postcode or a month that
// is part of the date.
func TestTypedNames(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		text  string
		words []string
		date  DateQuery
	}{
		{"olivia brown 2019", []string{"olivia", "brown"}, DateQuery{Year: 2019}},
		{"Zoë  O'Brien 2 April 2020", []string{"Zoë", "O'Brien"}, DateQuery{2020, 4, 2}},
		{"Mary-Jane Smith, 05.05.2015 SW1A 1AA", []string{"Mary-Jane", "Smith"}, DateQuery{2015, 5, 5}},
		{"May Smith May 1980", []string{"May", "Smith", "May"}, DateQuery{Year: 1980, Month: 5}},
		{"12/12/2012", nil, DateQuery{2012, 12, 12}},
	} {
		words, date := TypedNames(tc.text, now)
		if !reflect.DeepEqual(words, tc.words) || date != tc.date {
			t.Errorf("TypedNames(%q) = %q, %v; want %q, %v", tc.text, words, date, tc.words, tc.date)
		}
	}
}
