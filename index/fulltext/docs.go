package fulltext

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// ProductDoc is the indexed form of a product with the figures that live
// outside the product record.
type ProductDoc struct {
	ID          string
	Title       string
	Description string
	Category    []string
	Attributes  map[string]string
	Price       storage.Money
	Currency    string
	Language    string // declared BCP 47 tag; each text is also detected
	CreatedAt   time.Time
	AvgRating   float64 // 0 without reviews
	ReviewCount int64
	// Regions are the places the product has been ordered from, as country
	// codes ("BR") and country-state codes ("BR-SP"); see RegionKeys.
	Regions []string
}

// NewProductDoc combines a product, its rating statistics and its regions.
func NewProductDoc(p *storage.Product, stats storage.RatingStats, regions []string) ProductDoc {
	return ProductDoc{
		ID: p.ID, Title: p.Title, Description: p.Description, Category: p.Category,
		Attributes: p.Attributes, Price: p.Price, Currency: p.Currency, Language: p.Language,
		CreatedAt: p.CreatedAt, AvgRating: stats.Average(), ReviewCount: stats.Count, Regions: regions,
	}
}

// ReviewDoc is the indexed form of a review.
type ReviewDoc struct {
	ID        string
	ProductID string
	UserID    string
	Rating    int32
	Title     string
	Text      string
	Language  string
	CreatedAt time.Time
}

// NewReviewDoc copies the indexed fields of a review.
func NewReviewDoc(r *storage.Review) ReviewDoc {
	return ReviewDoc{ID: r.ID, ProductID: r.ProductID, UserID: r.UserID, Rating: r.Rating,
		Title: r.Title, Text: r.Text, Language: r.Language, CreatedAt: r.CreatedAt}
}

// RegionKeys returns the region facet terms of a shipping address: the
// country code and, when the state is known, "country-state".
func RegionKeys(r storage.Region) []string {
	if r.Country == "" {
		return nil
	}
	if r.State == "" {
		return []string{r.Country}
	}
	return []string{r.Country, r.Country + "-" + r.State}
}

// CategoryPath joins a category path for Filter.Category, as in
// "electronics/phones".
func CategoryPath(path []string) string { return strings.Join(path, "/") }

// addText sets the language sub-field of base for one text value.
func addText(doc map[string]any, base, text, declared string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	doc[base+"_"+fieldSuffix(DetectLanguage(text, declared))] = text
}

func (d *ProductDoc) validate() error {
	if d.ID == "" {
		return fmt.Errorf("invalid product document: empty id (title %q)", d.Title)
	}
	return nil
}

// fields returns the Bleve document of d.
func (d *ProductDoc) fields() map[string]any {
	doc := map[string]any{
		fieldPrice:       float64(d.Price),
		fieldRating:      d.AvgRating,
		fieldReviewCount: float64(d.ReviewCount),
		fieldLanguage:    DetectLanguage(d.Title+" "+d.Description, d.Language),
	}
	addText(doc, fieldTitle, d.Title, d.Language)
	addText(doc, fieldDescription, d.Description, d.Language)
	if len(d.Category) > 0 {
		prefixes := make([]string, len(d.Category))
		for i := range d.Category {
			prefixes[i] = CategoryPath(d.Category[:i+1])
		}
		doc[fieldCategoryPath] = prefixes
		doc[fieldCategoryText] = strings.Join(d.Category, " ")
	}
	if len(d.Attributes) > 0 {
		keys := make([]string, 0, len(d.Attributes))
		for k := range d.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "%s %s\n", k, d.Attributes[k])
		}
		doc[fieldAttributes] = b.String()
	}
	if len(d.Regions) > 0 {
		doc[fieldRegion] = d.Regions
	}
	if d.Currency != "" {
		doc[fieldCurrency] = d.Currency
	}
	if !d.CreatedAt.IsZero() {
		doc[fieldCreatedAt] = d.CreatedAt
	}
	return doc
}

func (d *ReviewDoc) validate() error {
	if d.ID == "" {
		return fmt.Errorf("invalid review document: empty id (product %q)", d.ProductID)
	}
	return nil
}

// fields returns the Bleve document of d.
func (d *ReviewDoc) fields() map[string]any {
	doc := map[string]any{
		fieldRating:   float64(d.Rating),
		fieldLanguage: DetectLanguage(d.Title+" "+d.Text, d.Language),
	}
	addText(doc, fieldTitle, d.Title, d.Language)
	addText(doc, fieldText, d.Text, d.Language)
	if d.ProductID != "" {
		doc[fieldProductID] = d.ProductID
	}
	if d.UserID != "" {
		doc[fieldUserID] = d.UserID
	}
	if !d.CreatedAt.IsZero() {
		doc[fieldCreatedAt] = d.CreatedAt
	}
	return doc
}
