package series

import (
	"time"
)

// Granularity is the length of a bucket.
type Granularity string

// Granularities.
const (
	Day Granularity = "DAY"
	// Week is an ISO week, Monday to Sunday.
	Week  Granularity = "WEEK"
	Month Granularity = "MONTH"
)

// Season returns the number of buckets in one seasonal cycle: 7 days a
// week, 52 weeks a year, 12 months a year.
func (g Granularity) Season() int {
	switch g {
	case Week:
		return 52
	case Month:
		return 12
	}
	return 7
}

const secondsPerDay = 24 * 60 * 60

// dayNumber returns the number of days from 1970-01-01 to the civil date
// y-m-d, counted on the proleptic Gregorian calendar.
func dayNumber(y int, m time.Month, d int) int64 {
	return floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Index returns the ordinal of the bucket containing t on the calendar of
// loc: days since 1970-01-01, ISO weeks since the week of 1969-12-29 (a
// Monday), or months since January of year 0. Consecutive buckets have
// consecutive ordinals.
func (g Granularity) Index(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	switch g {
	case Week:
		// 1970-01-01 was a Thursday, so day -3 is the Monday of its week.
		return floorDiv(dayNumber(y, m, d)+3, 7)
	case Month:
		return int64(y)*12 + int64(m) - 1
	}
	return dayNumber(y, m, d)
}

// Start returns the first instant of the bucket with ordinal i in loc.
func (g Granularity) Start(i int64, loc *time.Location) time.Time {
	switch g {
	case Week:
		return dayStart(i*7-3, loc)
	case Month:
		y, m := floorDiv(i, 12), i-floorDiv(i, 12)*12
		return midnight(int(y), time.Month(m+1), 1, loc)
	}
	return dayStart(i, loc)
}

func dayStart(day int64, loc *time.Location) time.Time {
	y, m, d := time.Unix(day*secondsPerDay, 0).UTC().Date()
	return midnight(y, m, d, loc)
}

// midnight returns the first instant of the civil date y-m-d in loc. Where
// clocks jump forward at midnight (America/Sao_Paulo on 2017-10-15, when
// 00:00 became 01:00), time.Date may normalise 00:00 to an instant of the
// previous day; the day then starts at the transition, the first instant
// whose civil date is y-m-d.
func midnight(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	ty, tm, td := t.Date()
	if ty == y && tm == m && td == d {
		return t
	}
	// t lies on the previous day in its own offset: advance to that day's
	// end, which is the transition.
	hour, minute, second := t.Clock()
	return t.Add(time.Duration(secondsPerDay-(hour*3600+minute*60+second)) * time.Second)
}
