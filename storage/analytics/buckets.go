package analytics

import (
	"time"
)

// bucketer maps instants to calendar buckets in a time zone. A bucket is
// identified by its ordinal: consecutive buckets have consecutive
// ordinals, so a window of N buckets is an ordinal range.
type bucketer struct {
	g         Granularity
	loc       *time.Location
	weekStart time.Weekday
}

// civilDay returns the days since 1970-01-01 of the local date of t.
func civilDay(y int, m time.Month, d int) int64 {
	return floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// ordinal returns the bucket of t.
func (b bucketer) ordinal(t time.Time) int64 {
	if b.g == Hour {
		_, off := t.In(b.loc).Zone()
		sub := int64(((off % 3600) + 3600) % 3600)
		return floorDiv(t.Unix()+sub, 3600)
	}
	y, m, d := t.In(b.loc).Date()
	switch b.g {
	case Week:
		return floorDiv(civilDay(y, m, d)+4-int64(b.weekStart), 7)
	case Month:
		return int64(y)*12 + int64(m-1)
	case Quarter:
		return int64(y)*4 + int64(m-1)/3
	case Year:
		return int64(y)
	}
	return civilDay(y, m, d)
}

// start returns the first instant of bucket ord.
func (b bucketer) start(ord int64) time.Time {
	switch b.g {
	case Hour:
		t := time.Unix(ord*3600, 0)
		_, off := t.In(b.loc).Zone()
		sub := int64(((off % 3600) + 3600) % 3600)
		return time.Unix(ord*3600-sub, 0).UTC()
	case Week:
		return b.dayStart(7*ord - 4 + int64(b.weekStart))
	case Month:
		return localMidnight(int(floorDiv(ord, 12)), time.Month(ord-12*floorDiv(ord, 12)+1), 1, b.loc)
	case Quarter:
		return localMidnight(int(floorDiv(ord, 4)), time.Month(3*(ord-4*floorDiv(ord, 4))+1), 1, b.loc)
	case Year:
		return localMidnight(int(ord), time.January, 1, b.loc)
	}
	return b.dayStart(ord)
}

func (b bucketer) dayStart(day int64) time.Time {
	y, m, d := time.Unix(day*86400, 0).UTC().Date()
	return localMidnight(y, m, d, b.loc)
}

// localMidnight returns the first instant of the local date. Where a DST
// change skips midnight (America/Sao_Paulo until 2019), time.Date returns
// an instant of the previous day, and the day starts at the transition.
func localMidnight(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	ly, lm, ld := t.Date()
	if ly != y || lm != m || ld != d {
		h, mi, s := t.Clock()
		t = t.Add(24*time.Hour - time.Duration(h*3600+mi*60+s)*time.Second)
	}
	return t.UTC()
}

// isUTC reports whether loc has offset zero at every instant.
func isUTC(loc *time.Location) bool {
	return loc == time.UTC || loc.String() == "UTC" || loc.String() == "Etc/UTC"
}
