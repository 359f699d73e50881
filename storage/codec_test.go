package storage

import (
	"errors"
	"reflect"
	"testing"
)

func TestCodecRoundTrip(t *testing.T) {
	p := sampleProduct("p1", "电子产品", "手机")
	p.Description = "透明防摔 iPhone 15 手机壳"
	gotP, err := decodeProduct(encodeProduct(&p))
	if err != nil || !reflect.DeepEqual(gotP, p) {
		t.Errorf("product round trip = %+v, %v; want %+v", gotP, err, p)
	}
	o := sampleOrder("o1", "u1", t0, "p1", "p2")
	o.Location = &GeoPoint{Lat: -23.55, Lon: -46.63}
	o.DeliveredAt = t0.AddDate(0, 0, 5)
	o.Payments = []Payment{{Type: "credit_card", Installments: 3, Value: 2300}}
	o.Items[0].Category = []string{"a", "b"}
	gotO, err := decodeOrder(encodeOrder(&o))
	if err != nil || !reflect.DeepEqual(gotO, o) {
		t.Errorf("order round trip = %+v, %v; want %+v", gotO, err, o)
	}
	e := Event{ID: "e1", UserID: "u1", SessionID: "s", Type: EventSearch, Query: "手机壳", At: t0, Region: Region{Country: "CN"}}
	gotE, err := decodeEvent(encodeEvent(&e))
	if err != nil || !reflect.DeepEqual(gotE, e) {
		t.Errorf("event round trip = %+v, %v; want %+v", gotE, err, e)
	}
}

func TestCodecRejectsCorruptValues(t *testing.T) {
	o := sampleOrder("o1", "u1", t0, "p1")
	good := encodeOrder(&o)
	cases := map[string][]byte{
		"empty":          {},
		"wrong version":  append([]byte{99}, good[1:]...),
		"truncated":      good[:len(good)-3],
		"trailing bytes": append(append([]byte{}, good...), 1, 2),
		"huge count":     {codecVersion, 0xff, 0xff, 0xff, 0xff, 0x0f},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeOrder(b); !errors.Is(err, ErrCorruptRecord) {
				t.Errorf("decode error = %v, want ErrCorruptRecord", err)
			}
		})
	}
}

func TestParseMoney(t *testing.T) {
	cases := []struct {
		in   string
		want Money
		ok   bool
	}{
		{"109.90", 10990, true}, {"109.9", 10990, true}, {"3", 300, true}, {"-1.05", -105, true},
		{".5", 50, true}, {"0.01", 1, true}, {"", 0, false}, {"1.234", 0, false}, {"1e2", 0, false},
		{"abc", 0, false}, {"-", 0, false}, {"1,50", 0, false},
	}
	for _, tc := range cases {
		got, err := ParseMoney(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if s := Money(-105).String(); s != "-1.05" {
		t.Errorf("Money(-105).String() = %q, want -1.05", s)
	}
}
