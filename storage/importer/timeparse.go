package importer

import (
	"fmt"
	"strings"
	"time"
)

// localLayouts are the accepted timestamp layouts without a UTC offset,
// read as wall-clock times in the import's time zone.
var localLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseTime parses an RFC 3339 timestamp, which carries its offset, or a
// local date or date-time in loc (see localLayouts). The result is UTC.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range localLayouts {
		if wall, err := time.Parse(layout, s); err == nil {
			return localToUTC(wall, loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date or time: write RFC 3339 (2018-07-29T13:54:51-03:00), a local time (2018-07-29 13:54:51) or a date (2018-07-29)", s)
}

// localToUTC converts a wall-clock reading, given as a UTC time with the
// same fields, to the instant it names in loc.
//
// Around a daylight-saving change the reading may name no instant or two.
// A reading in the spring-forward gap (in São Paulo on 2017-10-15 the clocks
// went from 00:00 straight to 01:00) maps forward by the length of the gap,
// as if the clocks had not changed yet: 00:30 becomes 01:30 local, 03:30
// UTC. A reading in the fall-back overlap takes its first occurrence, under
// the daylight-saving offset. time.Date leaves both cases unspecified, so
// the offsets are tried explicitly.
func localToUTC(wall time.Time, loc *time.Location) time.Time {
	// Zone changes are months apart, so the offsets a day before and a day
	// after are the only candidates.
	_, before := wall.Add(-24 * time.Hour).In(loc).Zone()
	_, after := wall.Add(24 * time.Hour).In(loc).Zone()
	for _, offset := range []int{before, after} {
		t := wall.Add(-time.Duration(offset) * time.Second)
		if sameWallClock(t.In(loc), wall) {
			return t.UTC()
		}
	}
	return wall.Add(-time.Duration(before) * time.Second).UTC()
}

func sameWallClock(local, wall time.Time) bool {
	y1, m1, d1 := local.Date()
	y2, m2, d2 := wall.Date()
	return y1 == y2 && m1 == m2 && d1 == d2 &&
		local.Hour() == wall.Hour() && local.Minute() == wall.Minute() &&
		local.Second() == wall.Second() && local.Nanosecond() == wall.Nanosecond()
}
