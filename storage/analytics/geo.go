package analytics

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// earthRadiusKm is the mean Earth radius (IUGG).
const earthRadiusKm = 6371.0088

// HaversineKm returns the great-circle distance between two points in
// kilometres.
func HaversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// NearOrder is an order with its distance from the query point.
type NearOrder struct {
	Order      storage.Order
	DistanceKm float64
}

// MaxNear is the largest number of orders OrdersNear returns.
const MaxNear = 1000

// OrdersNear returns the orders purchased in [from, to) (zero bounds are
// open) whose delivery location is within radiusKm of (lat, lon), nearest
// first, at most first of them.
func (e *Engine) OrdersNear(ctx context.Context, lat, lon, radiusKm float64, from, to time.Time, first int) ([]NearOrder, error) {
	switch {
	case lat < -90 || lat > 90:
		return nil, argErr("lat", "invalid lat %g: must be between -90 and 90", lat)
	case lon < -180 || lon > 180:
		return nil, argErr("lon", "invalid lon %g: must be between -180 and 180", lon)
	case !(radiusKm > 0) || radiusKm > 20000:
		return nil, argErr("radiusKm", "invalid radiusKm %g: must be above 0 and at most 20000", radiusKm)
	case first < 1 || first > MaxNear:
		return nil, argErr("first", "invalid first %d: must be between 1 and %d", first, MaxNear)
	case !from.IsZero() && !to.IsZero() && !from.Before(to):
		return nil, argErr("to", "invalid range: from %s is not before to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	// A latitude band rejects most orders before the trigonometry.
	band := radiusKm / 111.0
	var out []NearOrder
	err := e.store.EachOrder(ctx, storage.OrderFilter{Purchased: storage.TimeRange{From: from, To: to}}, func(o *storage.Order) error {
		if o.Location == nil || math.Abs(o.Location.Lat-lat) > band {
			return nil
		}
		if d := HaversineKm(lat, lon, o.Location.Lat, o.Location.Lon); d <= radiusKm {
			out = append(out, NearOrder{Order: *o, DistanceKm: d})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan orders near %g,%g: %w", lat, lon, err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DistanceKm != out[j].DistanceKm {
			return out[i].DistanceKm < out[j].DistanceKm
		}
		return out[i].Order.ID < out[j].Order.ID
	})
	if len(out) > first {
		out = out[:first]
	}
	return out, nil
}

const geohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// Geohash encodes a point as a geohash of precision characters.
func Geohash(lat, lon float64, precision int) string {
	latLo, latHi, lonLo, lonHi := -90.0, 90.0, -180.0, 180.0
	out := make([]byte, 0, precision)
	even := true
	bits, ch := 0, 0
	for len(out) < precision {
		if even {
			mid := (lonLo + lonHi) / 2
			if lon >= mid {
				ch, lonLo = ch<<1|1, mid
			} else {
				ch, lonHi = ch<<1, mid
			}
		} else {
			mid := (latLo + latHi) / 2
			if lat >= mid {
				ch, latLo = ch<<1|1, mid
			} else {
				ch, latHi = ch<<1, mid
			}
		}
		even = !even
		if bits++; bits == 5 {
			out = append(out, geohashAlphabet[ch])
			bits, ch = 0, 0
		}
	}
	return string(out)
}

// GeohashCenter returns the centre of a geohash cell.
func GeohashCenter(hash string) (lat, lon float64, err error) {
	latLo, latHi, lonLo, lonHi := -90.0, 90.0, -180.0, 180.0
	even := true
	for i := 0; i < len(hash); i++ {
		v := -1
		for j := 0; j < len(geohashAlphabet); j++ {
			if geohashAlphabet[j] == hash[i] {
				v = j
			}
		}
		if v < 0 {
			return 0, 0, fmt.Errorf("invalid geohash %q: %q is not a geohash character", hash, hash[i])
		}
		for b := 4; b >= 0; b-- {
			bit := v>>b&1 == 1
			if even {
				mid := (lonLo + lonHi) / 2
				if bit {
					lonLo = mid
				} else {
					lonHi = mid
				}
			} else {
				mid := (latLo + latHi) / 2
				if bit {
					latLo = mid
				} else {
					latHi = mid
				}
			}
			even = !even
		}
	}
	return (latLo + latHi) / 2, (lonLo + lonHi) / 2, nil
}

// HeatmapLevel selects the cells of a heat map.
type HeatmapLevel string

// Heat map levels.
const (
	ByGeohash HeatmapLevel = "GEOHASH"
	ByState   HeatmapLevel = "STATE"
	ByCity    HeatmapLevel = "CITY"
)

// HeatCell is one heat map cell. Key is the geohash, "country/state" or
// "country/state/city"; Lat and Lon are the geohash cell's centre, or the
// mean location of the orders of a state or city.
type HeatCell struct {
	Key      string
	Lat, Lon float64
	Orders   int64
	Revenue  storage.Money
}

// Heatmap counts the orders purchased in [from, to) with a delivery
// location, and their revenue, per geohash cell of precision 1 to 8 or per
// state or city, ordered by key.
func (e *Engine) Heatmap(ctx context.Context, level HeatmapLevel, precision int, from, to time.Time) ([]HeatCell, error) {
	switch level {
	case ByGeohash:
		if precision < 1 || precision > 8 {
			return nil, argErr("precision", "invalid precision %d: must be 1 to 8 geohash characters", precision)
		}
	case ByState, ByCity:
	default:
		return nil, argErr("by", "invalid heat map level %q: use GEOHASH, STATE or CITY", level)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return nil, argErr("to", "invalid range: from %s is not before to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	type cell struct {
		HeatCell
		latSum, lonSum float64
	}
	cells := map[string]*cell{}
	err := e.store.EachOrder(ctx, storage.OrderFilter{Purchased: storage.TimeRange{From: from, To: to}}, func(o *storage.Order) error {
		if o.Location == nil {
			return nil
		}
		var key string
		switch level {
		case ByGeohash:
			key = Geohash(o.Location.Lat, o.Location.Lon, precision)
		case ByState:
			key = o.ShipTo.Country + "/" + o.ShipTo.State
		default:
			key = o.ShipTo.Country + "/" + o.ShipTo.State + "/" + o.ShipTo.City
		}
		c := cells[key]
		if c == nil {
			c = &cell{HeatCell: HeatCell{Key: key}}
			cells[key] = c
		}
		c.Orders++
		c.Revenue += o.Total()
		c.latSum += o.Location.Lat
		c.lonSum += o.Location.Lon
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan orders for heat map: %w", err)
	}
	out := make([]HeatCell, 0, len(cells))
	for _, c := range cells {
		if level == ByGeohash {
			c.Lat, c.Lon, _ = GeohashCenter(c.Key)
		} else {
			c.Lat, c.Lon = c.latSum/float64(c.Orders), c.lonSum/float64(c.Orders)
		}
		out = append(out, c.HeatCell)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
