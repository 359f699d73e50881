package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopsight/shopsight/ml/recommend"
	"github.com/shopsight/shopsight/storage"
)

// product is the part of a catalog record that serving reads: the title
// for reason sentences and the category path for the category filter.
type product struct {
	Title    string
	Category []string
}

// catalog is a snapshot of the store's products, taken when a version is
// loaded. Products added later are found through the store.
type catalog struct {
	products map[string]product
	texts    map[string]string
	// ids lists the product ids in sorted order.
	ids []string
}

// loadCatalog reads every product of the store.
func loadCatalog(ctx context.Context, store *storage.Store) (*catalog, error) {
	c := &catalog{products: make(map[string]product), texts: make(map[string]string)}
	err := store.EachProduct(ctx, storage.ProductFilter{}, func(p *storage.Product) error {
		c.products[p.ID] = product{Title: p.Title, Category: p.Category}
		c.texts[p.ID] = productText(p)
		c.ids = append(c.ids, p.ID)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the product catalog: %w", err)
	}
	slices.Sort(c.ids)
	return c, nil
}

// productText is the text the TF-IDF content index reads: title,
// description and category names.
func productText(p *storage.Product) string {
	return p.Title + "\n" + p.Description + "\n" + strings.Join(p.Category, " ")
}

// interactions is the training input read from the store.
type interactions struct {
	// users holds purchases from orders and view and cart events, keyed
	// by user id. It feeds the factor, co-purchase, bought-together and
	// popularity models.
	users []recommend.Interaction
	// sessions holds view, cart and purchase events keyed by session id.
	// It feeds the co-view model behind the session recommender.
	sessions []recommend.Interaction
	orders   int
	events   int
}

// skippedStatus reports whether an order's items were never bought.
func skippedStatus(status string) bool {
	return status == storage.OrderCanceled || status == "unavailable"
}

// loadInteractions reads orders and behaviour events. Purchases come from
// orders, which carry the basket (order id) and the ship-to region. Purchase
// events are left out of users because their orders already count, and kept
// in sessions, where they link the items viewed before them.
func loadInteractions(ctx context.Context, store *storage.Store, progress func(done int)) (*interactions, error) {
	out := &interactions{}
	report := func() {
		if n := out.orders + out.events; progress != nil && n%10000 == 0 {
			progress(n)
		}
	}
	err := store.EachOrder(ctx, storage.OrderFilter{}, func(o *storage.Order) error {
		out.orders++
		report()
		if skippedStatus(o.Status) || o.UserID == "" || o.PurchasedAt.IsZero() {
			return nil
		}
		region := regionKey(o.ShipTo)
		for _, it := range o.Items {
			if it.ProductID == "" {
				continue
			}
			out.users = append(out.users, recommend.Interaction{
				User: o.UserID, Item: it.ProductID, Time: o.PurchasedAt,
				Event: recommend.EventPurchase, Region: region, Order: o.ID,
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	err = store.EachEvent(ctx, storage.EventFilter{}, func(e *storage.Event) error {
		out.events++
		report()
		ev, ok := eventType(e.Type)
		if !ok || e.ProductID == "" || e.At.IsZero() {
			return nil
		}
		region := regionKey(e.Region)
		if e.UserID != "" && ev != recommend.EventPurchase {
			out.users = append(out.users, recommend.Interaction{User: e.UserID, Item: e.ProductID, Time: e.At, Event: ev, Region: region})
		}
		if session := sessionKey(e); session != "" {
			out.sessions = append(out.sessions, recommend.Interaction{User: session, Item: e.ProductID, Time: e.At, Event: ev, Region: region})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read behaviour events: %w", err)
	}
	return out, nil
}

// sessionKey identifies the session of an event. Events without a session
// id are grouped by user and UTC day.
func sessionKey(e *storage.Event) string {
	switch {
	case e.SessionID != "":
		return "s/" + e.SessionID
	case e.UserID != "":
		return "u/" + e.UserID + "/" + e.At.UTC().Format(time.DateOnly)
	}
	return ""
}

func eventType(t storage.EventType) (recommend.EventType, bool) {
	switch t {
	case storage.EventView:
		return recommend.EventView, true
	case storage.EventCart:
		return recommend.EventCart, true
	case storage.EventPurchase:
		return recommend.EventPurchase, true
	}
	return 0, false
}

// regionKey is the region id the models count popularity under: the ISO
// 3166-2 style "BR-SP" when the country is known, else the state alone.
// State codes alone are ambiguous across countries: "MA" is Maranhão in
// Brazil and Massachusetts in the United States.
func regionKey(r storage.Region) string {
	switch {
	case r.Country != "" && r.State != "":
		return r.Country + "-" + r.State
	case r.State != "":
		return r.State
	}
	return r.Country
}
