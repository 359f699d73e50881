package resolvers

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/storage"
)

// Personal data is a user's name, email, location and zip code, and the
// zip code and location of an order or event. Admin reads it unmasked,
// and the field resolvers below mask it for every other role:
//
//	name      "Ana Souza"        → "A. S."
//	email     "ana@example.com"  → "a***@example.com"
//	zip       "01310-100"        → "01***"
//	location  -23.561, -46.656   → -23.6, -46.7 (0.1 degree, about 11 km)
//
// Sellers are businesses, so their address and location stay unmasked.

// maxMaskedGeohashPrecision is the finest geoHeatmap geohash precision
// below admin.
const maxMaskedGeohashPrecision = 5

// seesPersonalData reports whether the caller may read unmasked personal
// data.
func seesPersonalData(ctx context.Context) bool {
	role, ok := auth.RoleFrom(ctx)
	return ok && role.Includes(auth.RoleAdmin)
}

// maskName returns the initials of name, each followed by a dot.
func maskName(name string) string {
	var initials []string
	for _, word := range strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '-' }) {
		r, _ := utf8.DecodeRuneInString(word)
		initials = append(initials, string(unicode.ToUpper(r))+".")
	}
	return strings.Join(initials, " ")
}

// maskEmail keeps the first character of the local part and the domain.
// An address without "@" becomes "***".
func maskEmail(email string) string {
	if email == "" {
		return ""
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "***@" + domain
}

// maskZip keeps the first storage.ZipPrefixLen characters of zip.
func maskZip(zip string) string {
	if zip == "" {
		return ""
	}
	return storage.ZipPrefix(zip) + "***"
}

// regionFor returns region, with the zip masked unless the caller sees
// personal data.
func regionFor(ctx context.Context, region storage.Region) *storage.Region {
	if !seesPersonalData(ctx) {
		region.Zip = maskZip(region.Zip)
	}
	return &region
}

// pointFor returns p, rounded to 0.1 degree unless the caller sees
// personal data.
func pointFor(ctx context.Context, p *storage.GeoPoint) *storage.GeoPoint {
	if p == nil || seesPersonalData(ctx) {
		return p
	}
	return storage.CoarsenPoint(p)
}

func (r *userResolver) Name(ctx context.Context, obj *storage.User) (string, error) {
	if seesPersonalData(ctx) {
		return obj.Name, nil
	}
	return maskName(obj.Name), nil
}

func (r *userResolver) Email(ctx context.Context, obj *storage.User) (string, error) {
	if seesPersonalData(ctx) {
		return obj.Email, nil
	}
	return maskEmail(obj.Email), nil
}

func (r *userResolver) Region(ctx context.Context, obj *storage.User) (*storage.Region, error) {
	return regionFor(ctx, obj.Region), nil
}

func (r *userResolver) Location(ctx context.Context, obj *storage.User) (*storage.GeoPoint, error) {
	return pointFor(ctx, obj.Location), nil
}

func (r *orderResolver) ShipTo(ctx context.Context, obj *storage.Order) (*storage.Region, error) {
	return regionFor(ctx, obj.ShipTo), nil
}

func (r *orderResolver) Location(ctx context.Context, obj *storage.Order) (*storage.GeoPoint, error) {
	return pointFor(ctx, obj.Location), nil
}

func (r *eventResolver) Region(ctx context.Context, obj *storage.Event) (*storage.Region, error) {
	return regionFor(ctx, obj.Region), nil
}
