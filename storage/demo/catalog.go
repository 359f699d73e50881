package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// currency is the single currency of the demo shop, so that revenue sums
// across markets are meaningful. All prices are USD cents.
const currency = "USD"

// productProfile is the part of a product that drives the order simulation.
type productProfile struct {
	Leaf      int // index into leafCategories
	Seller    int // index into sellers
	Price     int64
	Language  string
	CreatedAt int64 // Unix seconds
	// Popularity is the sampling weight of the product's popularity rank.
	Popularity float64
	// Quality in [-1, 1] shifts review ratings up or down.
	Quality   float64
	Noun      string // the category noun in the product's language
	Companion int    // a product often bought with this one, or -1
}

func topCategories() []string {
	var tops []string
	for _, l := range leafCategories {
		if !slices.Contains(tops, l.Path[0]) {
			tops = append(tops, l.Path[0])
		}
	}
	return tops
}

// makeProducts builds the catalog, sorted by creation time, which is also ID
// order. About 65% of products exist before the range starts and the rest
// appear along it. Popularity follows a Zipf-Mandelbrot law, 1/(rank+10),
// over a random rank order: a long tail with a head that is not dominated by
// one product. About a third of the products are Chinese listings sold
// by Chinese sellers, and a fifth of those use English brand names in the
// title.
func makeProducts(cfg Config, sellers []sellerProfile) ([]storage.Product, []productProfile) {
	r := newRand(cfg.Seed, streamProducts, 0)
	rangeSecs := cfg.End.Sub(cfg.Start).Seconds()
	created := make([]int64, numProducts)
	for i := range created {
		offset := r.Float64() * rangeSecs * 0.9
		if r.Float64() < 0.65 {
			offset = -r.Float64() * (365 * 24 * time.Hour).Seconds()
		}
		created[i] = cfg.Start.Unix() + int64(offset)
	}
	slices.Sort(created)
	ranks := r.Perm(numProducts)

	leafWeights := make([]float64, len(leafCategories))
	for i, l := range leafCategories {
		leafWeights[i] = l.Weight
	}
	products := make([]storage.Product, numProducts)
	profiles := make([]productProfile, numProducts)
	byLeaf := make([][]int, len(leafCategories))
	for i := range products {
		leafIndex := pickWeighted(r, leafWeights)
		leaf := &leafCategories[leafIndex]
		lang := "en"
		if r.Float64() < 1.0/3 {
			lang = "zh"
		}
		price := leaf.MinPrice + r.Int64N(leaf.MaxPrice-leaf.MinPrice+1)
		price = price/100*100 + pick(r, []int64{99, 99, 49, 0})
		p, noun := describeProduct(r, leaf, lang)
		p.ID = productID(i)
		p.Category = slices.Clone(leaf.Path)
		p.Price = storage.Money(price)
		p.Currency = currency
		p.CreatedAt = time.Unix(created[i], 0).UTC()
		products[i] = p
		profiles[i] = productProfile{
			Leaf: leafIndex, Seller: pickSeller(r, sellers, leaf.Path[0], lang), Price: price, Language: lang,
			CreatedAt: created[i], Popularity: 1 / float64(ranks[i]+10),
			Quality: math.Max(-1, math.Min(1, r.NormFloat64()*0.45)), Noun: noun, Companion: -1,
		}
		byLeaf[leafIndex] = append(byLeaf[leafIndex], i)
	}

	// Companions come from the complementary leaf (a charger for a phone
	// case) or, without one, from the same leaf.
	for i := range profiles {
		leaf := leafCategories[profiles[i].Leaf]
		pool := byLeaf[profiles[i].Leaf]
		if leaf.Complement >= 0 && len(byLeaf[leaf.Complement]) > 0 {
			pool = byLeaf[leaf.Complement]
		}
		if c := pick(r, pool); c != i {
			profiles[i].Companion = c
		}
	}
	return products, profiles
}

// pickSeller returns a seller carrying top category: a Chinese seller for
// Chinese listings, and for English listings mostly a Brazilian or US seller,
// sometimes a Chinese one selling cross-border.
func pickSeller(r *rand.Rand, sellers []sellerProfile, top, lang string) int {
	wantCN := lang == "zh" || r.Float64() < 0.15
	var fits, sameMarket []int
	for i, s := range sellers {
		if (s.Country == "CN") != wantCN {
			continue
		}
		sameMarket = append(sameMarket, i)
		if slices.Contains(s.TopLevels, top) {
			fits = append(fits, i)
		}
	}
	if len(fits) > 0 {
		return pick(r, fits)
	}
	return pick(r, sameMarket)
}

// describeProduct fills the title, description, language and attributes of a
// product of leaf and returns the category noun in the product's language.
func describeProduct(r *rand.Rand, leaf *leafCategory, lang string) (storage.Product, string) {
	feature := pick(r, leaf.Features)
	attrs := map[string]string{}
	var colour, material, size phrase
	if !leaf.NoColour {
		colour = pick(r, colours)
	}
	if len(leaf.Materials) > 0 {
		material = pick(r, leaf.Materials)
	}
	if len(leaf.Sizes) > 0 {
		size = pick(r, leaf.Sizes)
	}
	model := ""
	if len(leaf.Models) > 0 {
		model = pick(r, leaf.Models)
		attrs["model"] = model
	}

	if lang == "zh" {
		brand := pick(r, leaf.BrandsZH)
		if r.Float64() < 0.2 {
			brand = pick(r, leaf.BrandsEN) // mixed-script listing
		}
		title := joinNonEmpty(" ", brand, model, leaf.Noun.ZH, feature.ZH, colour.ZH, size.ZH)
		if model != "" && r.Float64() < 0.5 {
			title = joinNonEmpty(" ", model, leaf.Noun.ZH, feature.ZH, colour.ZH)
		}
		desc := fmt.Sprintf("%s%s%s，%s设计，品质保证。", brand, feature.ZH, leaf.Noun.ZH, feature.ZH)
		if material.ZH != "" {
			desc += fmt.Sprintf("采用%s材质，经久耐用。", material.ZH)
		}
		if colour.ZH != "" {
			desc += fmt.Sprintf("颜色：%s。", colour.ZH)
		}
		if size.ZH != "" {
			desc += fmt.Sprintf("规格：%s。", size.ZH)
		}
		if model != "" {
			desc += fmt.Sprintf("适用机型：%s。", model)
		}
		fillAttrs(attrs, brand, material.ZH, colour.ZH, size.ZH)
		return storage.Product{Title: title, Description: desc, Language: lang, Attributes: attrs}, leaf.Noun.ZH
	}

	brand := pick(r, leaf.BrandsEN)
	title := joinNonEmpty(" ", brand, feature.EN, leaf.Noun.EN)
	if model != "" {
		title += " for " + model
	}
	for _, suffix := range []string{colour.EN, size.EN} {
		if suffix != "" {
			title += ", " + suffix
		}
	}
	desc := fmt.Sprintf("%s %s by %s.", feature.EN, strings.ToLower(leaf.Noun.EN), brand)
	if material.EN != "" {
		desc += fmt.Sprintf(" Made of durable %s.", material.EN)
	}
	if colour.EN != "" {
		desc += fmt.Sprintf(" Colour: %s.", strings.ToLower(colour.EN))
	}
	if size.EN != "" {
		desc += fmt.Sprintf(" Size: %s.", size.EN)
	}
	if model != "" {
		desc += fmt.Sprintf(" Fits %s.", model)
	}
	fillAttrs(attrs, brand, material.EN, colour.EN, size.EN)
	return storage.Product{Title: title, Description: desc, Language: lang, Attributes: attrs}, strings.ToLower(leaf.Noun.EN)
}

func fillAttrs(attrs map[string]string, brand, material, colour, size string) {
	attrs["brand"] = brand
	for _, kv := range [][2]string{{"material", material}, {"colour", colour}, {"size", size}} {
		if kv[1] != "" {
			attrs[kv[0]] = kv[1]
		}
	}
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}
