// Package searcheval measures search quality against graded relevance
// judgments: it reads a product list and judgments, indexes the products
// with a Backend, runs every query and computes nDCG@10, recall@100 and MRR
// per query and on average.
//
// Gains and relevance:
//   - nDCG@10 uses the grade itself as the gain by default (GainLinear), so
//     averaged grades such as 2.33 count as they are; GainExponential uses
//     2^grade - 1. Unjudged products gain 0. The ideal ranking sorts all
//     judged products of the query by grade.
//   - Recall@100 and MRR count a product as relevant when its grade is at
//     least Options.RelevantMin (default 2, "somewhat relevant" on the Home
//     Depot 1 to 3 scale). MRR looks at the first 100 hits. Queries without
//     a relevant product are left out of both averages.
//   - NDCGJudged is nDCG@10 over the hits with a judgment only, which does
//     not penalise unjudged products that may be relevant.
package searcheval

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Encoding is the character encoding of an input file.
type Encoding int

// Supported encodings.
const (
	UTF8   Encoding = iota
	Latin1          // ISO 8859-1
)

// Product is one catalog entry to index.
type Product struct {
	ID          string
	Title       string
	Description string
	// Category is the category path, split on "/" from the CSV column.
	Category []string
}

// Judgment grades one product for one query.
type Judgment struct {
	QueryID   string
	Query     string
	ProductID string
	Grade     float64
}

func decode(r io.Reader, enc Encoding) (io.Reader, error) {
	switch enc {
	case UTF8:
		return r, nil
	case Latin1:
		return charmap.ISO8859_1.NewDecoder().Reader(r), nil
	default:
		return nil, fmt.Errorf("invalid encoding %d: use UTF8 or Latin1", enc)
	}
}

// readCSV reads a CSV with a header whose first columns must be want.
func readCSV(r io.Reader, enc Encoding, name string, want []string, minFields int, row func(line int, rec []string) error) error {
	dr, err := decode(r, enc)
	if err != nil {
		return err
	}
	cr := csv.NewReader(dr)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read %s header: %w", name, err)
	}
	for i, col := range want {
		if i >= len(header) || strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")) != col {
			return fmt.Errorf("invalid %s header %q: want columns %s", name, header, strings.Join(want, ","))
		}
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if len(rec) < minFields {
			return fmt.Errorf("%s line %d: %d fields, want at least %d", name, line, len(rec), minFields)
		}
		if err := row(line, rec); err != nil {
			return err
		}
	}
}

// ReadProducts reads PRODUCTS.csv: product_id,title[,description,category]
// with a header line. Category is a "/"-separated path.
func ReadProducts(r io.Reader, enc Encoding) ([]Product, error) {
	var out []Product
	err := readCSV(r, enc, "products", []string{"product_id", "title"}, 2, func(line int, rec []string) error {
		p := Product{ID: strings.TrimSpace(rec[0]), Title: rec[1]}
		if p.ID == "" {
			return fmt.Errorf("products line %d: empty product_id", line)
		}
		if len(rec) > 2 {
			p.Description = rec[2]
		}
		if len(rec) > 3 && strings.TrimSpace(rec[3]) != "" {
			for _, c := range strings.Split(rec[3], "/") {
				if c = strings.TrimSpace(c); c != "" {
					p.Category = append(p.Category, c)
				}
			}
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// ReadJudgments reads JUDGMENTS.csv: query_id,query,product_id,grade with a
// header line.
func ReadJudgments(r io.Reader, enc Encoding) ([]Judgment, error) {
	var out []Judgment
	err := readCSV(r, enc, "judgments", []string{"query_id", "query", "product_id", "grade"}, 4, func(line int, rec []string) error {
		grade, err := strconv.ParseFloat(strings.TrimSpace(rec[3]), 64)
		if err != nil {
			return fmt.Errorf("judgments line %d: invalid grade %q: %w", line, rec[3], err)
		}
		j := Judgment{QueryID: strings.TrimSpace(rec[0]), Query: rec[1], ProductID: strings.TrimSpace(rec[2]), Grade: grade}
		if j.QueryID == "" || j.ProductID == "" {
			return fmt.Errorf("judgments line %d: empty query_id or product_id", line)
		}
		out = append(out, j)
		return nil
	})
	return out, err
}

// ReadHomeDepot converts the Kaggle "Home Depot Product Search Relevance"
// train.csv layout (id,product_uid,product_title,search_term,relevance in
// latin-1) into products and judgments. The catalog is the distinct
// (product_uid, product_title) pairs. Each distinct search term is one
// query, with ids "hd-00001" onward in order of first appearance, and the
// averaged relevance (1 to 3) is the grade.
func ReadHomeDepot(r io.Reader) ([]Product, []Judgment, error) {
	var products []Product
	var judgments []Judgment
	seenProduct := map[string]bool{}
	queryIDs := map[string]string{}
	err := readCSV(r, Latin1, "Home Depot train", []string{"id", "product_uid", "product_title", "search_term", "relevance"}, 5,
		func(line int, rec []string) error {
			grade, err := strconv.ParseFloat(rec[4], 64)
			if err != nil {
				return fmt.Errorf("Home Depot train line %d: invalid relevance %q: %w", line, rec[4], err)
			}
			pid := rec[1]
			if !seenProduct[pid] {
				seenProduct[pid] = true
				products = append(products, Product{ID: pid, Title: rec[2]})
			}
			qid, ok := queryIDs[rec[3]]
			if !ok {
				qid = fmt.Sprintf("hd-%05d", len(queryIDs)+1)
				queryIDs[rec[3]] = qid
			}
			judgments = append(judgments, Judgment{QueryID: qid, Query: rec[3], ProductID: pid, Grade: grade})
			return nil
		})
	return products, judgments, err
}
