package service

import (
	"fmt"

	"github.com/shopsight/shopsight/ml/recommend"
)

// Item is one served recommendation.
type Item struct {
	ProductID string  `json:"productId"`
	Title     string  `json:"title"`
	Score     float64 `json:"score"`
	// Reasons explain the item, strongest first. The first one's Text is
	// the headline.
	Reasons []Reason `json:"reasons"`
}

// ReasonKind names the signal behind a reason. It takes the values of
// recommend.ReasonKind and the service's own kinds below.
type ReasonKind = recommend.ReasonKind

// Reason kinds of SimilarProducts, FrequentlyBoughtTogether and the catalog
// fallback, besides those of package recommend.
const (
	// ReasonViewedTogether marks an item often viewed in the same sessions
	// as the related product.
	ReasonViewedTogether ReasonKind = "viewed_together"
	// ReasonAlsoBought marks an item bought by customers who bought the
	// related product, in the same order or not.
	ReasonAlsoBought ReasonKind = "also_bought"
	// ReasonCatalog marks an item that fills the list from the catalog
	// when no model has enough candidates.
	ReasonCatalog ReasonKind = "catalog"
)

// Reason is one explanation of an Item, in structured form and as an
// English sentence.
type Reason struct {
	Kind ReasonKind `json:"kind"`
	// Model is the model that produced the reason, for example als or
	// trending.
	Model string `json:"model"`
	// RelatedProductID is the product the reason refers to, when there is
	// one, with its title.
	RelatedProductID    string `json:"relatedProductId,omitempty"`
	RelatedProductTitle string `json:"relatedProductTitle,omitempty"`
	// Region is the region key ("BR-SP") and RegionName its display name.
	Region     string `json:"region,omitempty"`
	RegionName string `json:"regionName,omitempty"`
	// Window is the trending window: 24h, 7d or 30d.
	Window string `json:"window,omitempty"`
	// Score is the model's raw score behind the reason.
	Score float64 `json:"score"`
	// Text is the reason as an English sentence fragment, for example
	// "bought together with Phone case".
	Text string `json:"text"`
}

// newReason converts a model reason and renders its sentence. title
// returns the title of a related product.
func newReason(r recommend.Reason, title func(id string) string) Reason {
	out := Reason{Kind: r.Kind, Model: r.Model, RelatedProductID: r.Item, Region: r.Region, Window: r.Window, Score: r.Score}
	if r.Item != "" {
		out.RelatedProductTitle = title(r.Item)
	}
	if r.Region != "" {
		out.RegionName = regionName(r.Region)
	}
	out.Text = reasonText(out)
	return out
}

// reasonText renders a reason as a sentence fragment.
func reasonText(r Reason) string {
	related := r.RelatedProductTitle
	if related == "" {
		related = r.RelatedProductID
	}
	switch r.Kind {
	case recommend.ReasonCollaborative:
		return "customers with similar purchases chose it"
	case recommend.ReasonSimilarToViewed:
		return fmt.Sprintf("similar to %s you viewed", related)
	case recommend.ReasonSimilarToCarted:
		return fmt.Sprintf("similar to %s in your cart", related)
	case recommend.ReasonSimilarToPurchased:
		return fmt.Sprintf("similar to %s you bought", related)
	case recommend.ReasonBoughtTogether:
		return fmt.Sprintf("bought together with %s", related)
	case recommend.ReasonSession:
		return fmt.Sprintf("often viewed with %s, which you viewed in this session", related)
	case recommend.ReasonSimilarContent:
		return fmt.Sprintf("similar to %s", related)
	case recommend.ReasonTrending:
		return "trending" + inRegion(r.RegionName) + " " + windowPhrase(r.Window)
	case recommend.ReasonPopular:
		if r.RegionName == "" {
			return "popular with shoppers"
		}
		return "popular" + inRegion(r.RegionName)
	case ReasonViewedTogether:
		return fmt.Sprintf("often viewed with %s", related)
	case ReasonAlsoBought:
		return fmt.Sprintf("bought by customers who bought %s", related)
	case ReasonCatalog:
		return "from the catalog"
	}
	return string(r.Kind)
}

func inRegion(name string) string {
	if name == "" {
		return ""
	}
	return " in " + name
}

// windowPhrase renders a trending window: "today", "this week" or "this
// month".
func windowPhrase(window string) string {
	switch window {
	case Window24h, "1d":
		return "today"
	case Window7d:
		return "this week"
	case Window30d:
		return "this month"
	}
	return "over the last " + window
}
