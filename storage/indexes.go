package storage

import "slices"

// The functions in this file list the secondary index keys of a record, as
// keys.go lays them out. Writes diff the keys of the old and the new version
// of a record, so these functions must depend on the record alone.

func userIndexKeys(u *User) [][]byte {
	keys := [][]byte{indexKey(timeIndexPrefix(KindUser), u.SignupAt, u.ID)}
	for _, p := range regionPrefixes("ur", u.Region) {
		keys = append(keys, indexKey(p, u.SignupAt, u.ID))
	}
	return keys
}

func productIndexKeys(p *Product) [][]byte {
	keys := [][]byte{indexKey(timeIndexPrefix(KindProduct), p.CreatedAt, p.ID)}
	for _, pre := range categoryPrefixes("pc", p.Category) {
		keys = append(keys, indexKey(pre, p.CreatedAt, p.ID))
	}
	return keys
}

func sellerIndexKeys(s *Seller) [][]byte {
	return [][]byte{indexKey(timeIndexPrefix(KindSeller), timeZero, s.ID)}
}

func orderIndexKeys(o *Order) [][]byte {
	t := o.PurchasedAt
	keys := [][]byte{indexKey(timeIndexPrefix(KindOrder), t, o.ID)}
	if o.UserID != "" {
		keys = append(keys, indexKey(indexPrefix("ou/", o.UserID), t, o.ID))
	}
	for _, p := range regionPrefixes("or", o.ShipTo) {
		keys = append(keys, indexKey(p, t, o.ID))
	}
	seen := map[string]bool{}
	add := func(k []byte) {
		if !seen[string(k)] {
			seen[string(k)] = true
			keys = append(keys, k)
		}
	}
	for _, it := range o.Items {
		add(indexKey(indexPrefix("op/", it.ProductID), t, o.ID))
		if it.SellerID != "" {
			add(indexKey(indexPrefix("os/", it.SellerID), t, o.ID))
		}
		for _, p := range categoryPrefixes("oc", it.Category) {
			add(indexKey(p, t, o.ID))
		}
	}
	return keys
}

func reviewIndexKeys(r *Review) [][]byte {
	t := r.CreatedAt
	keys := [][]byte{indexKey(timeIndexPrefix(KindReview), t, r.ID)}
	if r.ProductID != "" {
		keys = append(keys, indexKey(indexPrefix("rp/", r.ProductID), t, r.ID))
	}
	if r.UserID != "" {
		keys = append(keys, indexKey(indexPrefix("ru/", r.UserID), t, r.ID))
	}
	return keys
}

func eventIndexKeys(e *Event) [][]byte {
	keys := [][]byte{indexKey(timeIndexPrefix(KindEvent), e.At, e.ID)}
	if e.UserID != "" {
		keys = append(keys, indexKey(indexPrefix("eu/", e.UserID), e.At, e.ID))
	}
	return keys
}

// diffKeys returns the keys only in old and the keys only in new.
func diffKeys(old, new [][]byte) (removed, added [][]byte) {
	oldSet := make(map[string]bool, len(old))
	for _, k := range old {
		oldSet[string(k)] = true
	}
	newSet := make(map[string]bool, len(new))
	for _, k := range new {
		newSet[string(k)] = true
		if !oldSet[string(k)] {
			added = append(added, k)
		}
	}
	for _, k := range old {
		if !newSet[string(k)] {
			removed = append(removed, k)
		}
	}
	return removed, added
}

func sameCategory(a, b []string) bool { return slices.Equal(a, b) }
