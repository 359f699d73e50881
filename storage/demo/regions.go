package demo

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/shopsight/shopsight/storage"
)

// city is a place where users and sellers live. Lat and Lon are the
// approximate city centre. Population is the approximate metropolitan
// population in millions and only weights the choice of city within a country.
type city struct {
	Country    string
	State      string
	Name       string
	NameZH     string // Chinese name, used in Chinese seller names
	Lat, Lon   float64
	Population float64
	// UTCOffset is the standard-time offset in hours. It shifts purchase
	// times so that local hours follow a daily rhythm.
	UTCOffset int
	// ZipLow and ZipHigh bound the numeric postal codes of the city.
	ZipLow, ZipHigh int
}

// country is a market with its share of users and orders.
type country struct {
	Code  string
	Share float64 // share of users and orders
}

// countries lists the markets in a fixed order. Every loop over markets uses
// this order, which keeps generation deterministic.
var countries = []country{
	{Code: "BR", Share: 0.35},
	{Code: "CN", Share: 0.35},
	{Code: "US", Share: 0.30},
}

// cities is the fixed region table. Coordinates and populations are rounded
// public figures. Postal code ranges follow each country's scheme (Brazilian
// CEP, Chinese 6-digit postal code, US ZIP code).
var cities = []city{
	{"BR", "SP", "São Paulo", "", -23.55, -46.63, 12.3, -3, 1000000, 5999999},
	{"BR", "SP", "Campinas", "", -22.91, -47.06, 1.2, -3, 13000000, 13149999},
	{"BR", "RJ", "Rio de Janeiro", "", -22.91, -43.17, 6.7, -3, 20000000, 23799999},
	{"BR", "MG", "Belo Horizonte", "", -19.92, -43.94, 2.5, -3, 30000000, 31999999},
	{"BR", "DF", "Brasília", "", -15.79, -47.88, 3.0, -3, 70000000, 72799999},
	{"BR", "BA", "Salvador", "", -12.97, -38.50, 2.9, -3, 40000000, 42599999},
	{"BR", "CE", "Fortaleza", "", -3.73, -38.52, 2.7, -3, 60000000, 61599999},
	{"BR", "PR", "Curitiba", "", -25.43, -49.27, 1.9, -3, 80000000, 82999999},
	{"BR", "PE", "Recife", "", -8.05, -34.88, 1.6, -3, 50000000, 52999999},
	{"BR", "RS", "Porto Alegre", "", -30.03, -51.23, 1.5, -3, 90000000, 91999999},
	{"BR", "AM", "Manaus", "", -3.12, -60.02, 2.2, -4, 69000000, 69099999},

	{"CN", "BJ", "Beijing", "北京", 39.90, 116.41, 21.9, 8, 100000, 102699},
	{"CN", "SH", "Shanghai", "上海", 31.23, 121.47, 24.9, 8, 200000, 202199},
	{"CN", "GD", "Guangzhou", "广州", 23.13, 113.26, 18.7, 8, 510000, 511499},
	{"CN", "GD", "Shenzhen", "深圳", 22.54, 114.06, 17.6, 8, 518000, 518199},
	{"CN", "ZJ", "Hangzhou", "杭州", 30.27, 120.16, 12.2, 8, 310000, 311499},
	{"CN", "JS", "Nanjing", "南京", 32.06, 118.80, 9.3, 8, 210000, 211399},
	{"CN", "SC", "Chengdu", "成都", 30.57, 104.07, 21.0, 8, 610000, 611999},
	{"CN", "HB", "Wuhan", "武汉", 30.59, 114.31, 13.6, 8, 430000, 430399},
	{"CN", "CQ", "Chongqing", "重庆", 29.56, 106.55, 16.0, 8, 400000, 401599},
	{"CN", "SN", "Xi'an", "西安", 34.34, 108.94, 13.0, 8, 710000, 710299},
	{"CN", "TJ", "Tianjin", "天津", 39.13, 117.20, 13.9, 8, 300000, 301999},

	{"US", "CA", "San Francisco", "", 37.77, -122.42, 4.7, -8, 94102, 94134},
	{"US", "CA", "Los Angeles", "", 34.05, -118.24, 13.0, -8, 90001, 90089},
	{"US", "CA", "San Diego", "", 32.72, -117.16, 3.3, -8, 92101, 92199},
	{"US", "NY", "New York", "", 40.71, -74.01, 19.5, -5, 10001, 10282},
	{"US", "TX", "Austin", "", 30.27, -97.74, 2.4, -6, 78701, 78759},
	{"US", "TX", "Houston", "", 29.76, -95.37, 7.3, -6, 77001, 77099},
	{"US", "TX", "Dallas", "", 32.78, -96.80, 7.9, -6, 75201, 75287},
	{"US", "IL", "Chicago", "", 41.88, -87.63, 9.4, -6, 60601, 60661},
	{"US", "WA", "Seattle", "", 47.61, -122.33, 4.0, -8, 98101, 98199},
	{"US", "FL", "Miami", "", 25.76, -80.19, 6.1, -5, 33101, 33199},
	{"US", "MA", "Boston", "", 42.36, -71.06, 4.9, -5, 2108, 2137},
	{"US", "GA", "Atlanta", "", 33.75, -84.39, 6.2, -5, 30301, 30363},
}

// regionTable indexes cities by country for population-weighted choice.
type regionTable struct {
	byCountry map[string][]int // indexes into cities
	weights   map[string][]float64
}

func newRegionTable() *regionTable {
	t := &regionTable{byCountry: map[string][]int{}, weights: map[string][]float64{}}
	for i, c := range cities {
		t.byCountry[c.Country] = append(t.byCountry[c.Country], i)
		t.weights[c.Country] = append(t.weights[c.Country], c.Population)
	}
	return t
}

// pickCountry returns a country code drawn by market share.
func pickCountry(r *rand.Rand) string {
	u := r.Float64()
	for _, c := range countries {
		if u < c.Share {
			return c.Code
		}
		u -= c.Share
	}
	return countries[len(countries)-1].Code
}

// pickCity returns the index of a city of country, drawn by population.
func (t *regionTable) pickCity(r *rand.Rand, country string) int {
	return t.byCountry[country][pickWeighted(r, t.weights[country])]
}

// zipCode formats a postal code of c in its country's usual form.
func zipCode(r *rand.Rand, c *city) string {
	n := c.ZipLow + r.IntN(c.ZipHigh-c.ZipLow+1)
	switch c.Country {
	case "BR":
		return fmt.Sprintf("%05d-%03d", n/1000, n%1000)
	case "CN":
		return fmt.Sprintf("%06d", n)
	default:
		return fmt.Sprintf("%05d", n)
	}
}

// placeIn returns a region and a point in city c, jittered around the centre
// by a normal offset with a standard deviation of sigmaKm in each direction.
func placeIn(r *rand.Rand, c *city, sigmaKm float64) (storage.Region, *storage.GeoPoint) {
	const kmPerDegree = 111.32
	dLat := r.NormFloat64() * sigmaKm / kmPerDegree
	dLon := r.NormFloat64() * sigmaKm / (kmPerDegree * math.Cos(c.Lat*math.Pi/180))
	region := storage.Region{Country: c.Country, State: c.State, City: c.Name, Zip: zipCode(r, c)}
	point := &storage.GeoPoint{Lat: round5(c.Lat + dLat), Lon: round5(c.Lon + dLon)}
	return region, point
}

// round5 rounds a coordinate to 1e-5 degrees (about a metre), which keeps the
// stored values short.
func round5(v float64) float64 {
	return math.Round(v*1e5) / 1e5
}

// distanceKm returns the great-circle distance between a and b.
func distanceKm(a, b *storage.GeoPoint) float64 {
	const earthRadiusKm = 6371.0
	toRad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * toRad
	dLon := (b.Lon - a.Lon) * toRad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*toRad)*math.Cos(b.Lat*toRad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}
