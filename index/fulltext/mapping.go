package fulltext

import (
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/shopsight/shopsight/index/analysis/zh"
)

// MappingVersion identifies the document mappings and analyzers below. Bump
// it whenever they change: Open then returns ErrNeedsRebuild for an index
// built with another version.
const MappingVersion = 1

// Text fields with one sub-field per language, such as "title_en" and
// "title_zh". Search returns their highlights under the base name.
const (
	fieldTitle       = "title"
	fieldDescription = "description"
	fieldText        = "text" // review body
)

// Product index fields.
const (
	fieldCategoryPath = "category_path" // keyword: every prefix of the path, joined with "/"
	fieldCategoryText = "category_text"
	fieldAttributes   = "attributes_text"
	fieldPrice        = "price" // cents
	fieldRating       = "rating"
	fieldReviewCount  = "review_count"
	fieldRegion       = "region"
	fieldLanguage     = "language"
	fieldCurrency     = "currency"
	fieldCreatedAt    = "created_at"
)

// Review index fields beyond the text fields and the shared ones above.
const (
	fieldProductID = "product_id"
	fieldUserID    = "user_id"
)

// languages lists the per-language sub-fields of every text field.
var languages = []languageField{
	{suffix: "en", analyzer: en.AnalyzerName},
	{suffix: "zh", analyzer: zh.AnalyzerName, queryAnalyzer: zh.QueryAnalyzerName, charAnalyzer: zh.CharAnalyzerName},
	{suffix: "pt", analyzer: pt.AnalyzerName},
	{suffix: "std", analyzer: standard.Name},
}

func textField(analyzer string, store bool) *mapping.FieldMapping {
	f := mapping.NewTextFieldMapping()
	f.Analyzer = analyzer
	f.Store = store
	f.IncludeTermVectors = true
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

func keywordField(store bool) *mapping.FieldMapping {
	f := mapping.NewKeywordFieldMapping()
	f.Analyzer = keyword.Name
	f.Store = store
	f.IncludeInAll = false
	f.IncludeTermVectors = false
	return f
}

func numericField() *mapping.FieldMapping {
	f := mapping.NewNumericFieldMapping()
	f.Store = false
	f.IncludeInAll = false
	return f
}

func addLanguageFields(doc *mapping.DocumentMapping, base string, store bool) {
	for _, l := range languages {
		doc.AddFieldMappingsAt(base+"_"+l.suffix, textField(l.analyzer, store))
	}
}

func newIndexMapping(doc *mapping.DocumentMapping) *mapping.IndexMappingImpl {
	im := mapping.NewIndexMapping()
	im.DefaultMapping = doc
	im.DefaultAnalyzer = standard.Name
	im.ScoringModel = index.BM25Scoring
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im
}

// productMapping returns the mapping of the product index. Titles and
// descriptions are stored for highlighting; nothing else is stored.
func productMapping() *mapping.IndexMappingImpl {
	doc := mapping.NewDocumentStaticMapping()
	addLanguageFields(doc, fieldTitle, true)
	addLanguageFields(doc, fieldDescription, true)
	doc.AddFieldMappingsAt(fieldCategoryPath, keywordField(false))
	doc.AddFieldMappingsAt(fieldCategoryText, textField(standard.Name, false))
	doc.AddFieldMappingsAt(fieldAttributes, textField(standard.Name, false))
	doc.AddFieldMappingsAt(fieldPrice, numericField())
	doc.AddFieldMappingsAt(fieldRating, numericField())
	doc.AddFieldMappingsAt(fieldReviewCount, numericField())
	doc.AddFieldMappingsAt(fieldRegion, keywordField(false))
	doc.AddFieldMappingsAt(fieldLanguage, keywordField(false))
	doc.AddFieldMappingsAt(fieldCurrency, keywordField(false))
	created := mapping.NewDateTimeFieldMapping()
	created.Store = false
	created.IncludeInAll = false
	doc.AddFieldMappingsAt(fieldCreatedAt, created)
	return newIndexMapping(doc)
}

// reviewMapping returns the mapping of the review index. Review titles and
// texts are stored for highlighting and the product id for joins.
func reviewMapping() *mapping.IndexMappingImpl {
	doc := mapping.NewDocumentStaticMapping()
	addLanguageFields(doc, fieldTitle, true)
	addLanguageFields(doc, fieldText, true)
	doc.AddFieldMappingsAt(fieldProductID, keywordField(true))
	doc.AddFieldMappingsAt(fieldUserID, keywordField(false))
	doc.AddFieldMappingsAt(fieldRating, numericField())
	doc.AddFieldMappingsAt(fieldLanguage, keywordField(false))
	created := mapping.NewDateTimeFieldMapping()
	created.Store = false
	created.IncludeInAll = false
	doc.AddFieldMappingsAt(fieldCreatedAt, created)
	return newIndexMapping(doc)
}
