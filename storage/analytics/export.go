package analytics

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// NewExportHandler returns an http.Handler that serves the aggregations as
// CSV (UTF-8, a header row, RFC 4180 quoting), written row by row:
//
//	/export/metrics.csv?measures=ORDERS,REVENUE&dimensions=TIME,STATE&granularity=MONTH
//	    &from=2017-01-01T00:00:00Z&to=2018-01-01T00:00:00Z&timeZone=America/Sao_Paulo
//	    &weekStart=MONDAY&country=BR&state=SP&city=…&category=a/b&seller=…&product=…
//	    &status=…&paymentType=…&bbox=minLat,minLon,maxLat,maxLon&orderBy=-REVENUE,TIME
//	    &first=100&compare=PREVIOUS_PERIOD&rolling=7&topN=5&topNBy=REVENUE
//	/export/funnel.csv?steps=VIEW,CART,PURCHASE&granularity=DAY&from=…&to=…&timeZone=…
//	    &country=…&state=…&city=…&sessionGapMinutes=30
//	/export/cohorts.csv?by=FIRST_ORDER&from=…&to=…&periods=6
//
// The row that sums the groups outside topN has "others" in every column
// of the non-time dimensions.
//
// The arguments are those of the GraphQL fields. An invalid one gets 400
// with a plain-text message that names the parameter. The handler matches
// the path suffix, so it can be mounted under any prefix.
func NewExportHandler(e *Engine) http.Handler {
	return &exportHandler{e: e}
}

type exportHandler struct{ e *Engine }

func (h *exportHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: use GET", http.StatusMethodNotAllowed)
		return
	}
	var err error
	switch {
	case strings.HasSuffix(r.URL.Path, "/metrics.csv"):
		err = h.metrics(w, r)
	case strings.HasSuffix(r.URL.Path, "/funnel.csv"):
		err = h.funnel(w, r)
	case strings.HasSuffix(r.URL.Path, "/cohorts.csv"):
		err = h.cohorts(w, r)
	default:
		http.Error(w, "not found: use /export/metrics.csv, /export/funnel.csv or /export/cohorts.csv", http.StatusNotFound)
		return
	}
	var ae *ArgError
	switch {
	case err == nil:
	case errors.As(err, &ae):
		http.Error(w, fmt.Sprintf("invalid parameter %s: %s", ae.Param, ae.Message), http.StatusBadRequest)
	case r.Context().Err() != nil:
		h.e.opts.Logger.Info("CSV export canceled", "path", r.URL.Path, "err", err)
	default:
		h.e.opts.Logger.Error("CSV export failed", "path", r.URL.Path, "query", r.URL.RawQuery, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// csvOut writes CSV rows to w and flushes every flushEvery rows, so long
// exports reach the client while they are produced.
type csvOut struct {
	w       http.ResponseWriter
	cw      *csv.Writer
	n       int
	started bool
}

const flushEvery = 256

func newCSVOut(w http.ResponseWriter) *csvOut {
	return &csvOut{w: w, cw: csv.NewWriter(w)}
}

func (o *csvOut) header(filename string) {
	o.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	o.w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	o.started = true
}

func (o *csvOut) row(fields []string) error {
	if err := o.cw.Write(fields); err != nil {
		return fmt.Errorf("write CSV row: %w", err)
	}
	if o.n++; o.n%flushEvery == 0 {
		o.cw.Flush()
		if f, ok := o.w.(http.Flusher); ok {
			f.Flush()
		}
	}
	return o.cw.Error()
}

func (o *csvOut) close() error {
	o.cw.Flush()
	return o.cw.Error()
}

func (h *exportHandler) metrics(w http.ResponseWriter, r *http.Request) error {
	q, err := ParseMetricsQuery(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := h.e.Metrics(r.Context(), q)
	if err != nil {
		return err
	}
	out := newCSVOut(w)
	out.header("metrics.csv")
	header := []string{}
	for _, d := range q.Dimensions {
		switch d {
		case City:
			header = append(header, "country", "state", "city")
		case State:
			header = append(header, "country", "state")
		default:
			header = append(header, strings.ToLower(string(d)))
		}
	}
	for _, m := range q.Measures {
		header = append(header, strings.ToLower(string(m)))
		if q.Compare {
			header = append(header, strings.ToLower(string(m))+"_previous", strings.ToLower(string(m))+"_change")
		}
	}
	if err := out.row(header); err != nil {
		return err
	}
	for i := range res.Rows {
		if err := out.row(metricsCSVRow(&q, &res.Rows[i])); err != nil {
			return err
		}
	}
	return out.close()
}

func metricsCSVRow(q *Query, r *Row) []string {
	var f []string
	for _, d := range q.Dimensions {
		switch {
		case d == Time:
			f = append(f, r.Time.In(q.Location).Format(time.RFC3339))
		case r.Others && d == City:
			f = append(f, "others", "others", "others")
		case r.Others && d == State:
			f = append(f, "others", "others")
		case r.Others:
			f = append(f, "others")
		case d == City:
			f = append(f, r.Country, r.State, r.City)
		case d == State:
			f = append(f, r.Country, r.State)
		default:
			f = append(f, dimValue(d, r))
		}
	}
	for i := range q.Measures {
		f = append(f, r.Values[i].String())
		if q.Compare {
			c := ""
			if v := r.Change[i]; v == v {
				c = strconv.FormatFloat(v, 'f', 4, 64)
			}
			f = append(f, r.Previous[i].String(), c)
		}
	}
	return f
}

func (h *exportHandler) funnel(w http.ResponseWriter, r *http.Request) error {
	q, err := ParseFunnelQuery(r.URL.Query())
	if err != nil {
		return err
	}
	rows, err := h.e.Funnel(r.Context(), q)
	if err != nil {
		return err
	}
	out := newCSVOut(w)
	out.header("funnel.csv")
	if err := out.row([]string{"time", "step", "sessions", "conversion_from_start", "conversion_from_previous"}); err != nil {
		return err
	}
	for _, row := range rows {
		t := ""
		if !row.Time.IsZero() {
			t = row.Time.In(q.Location).Format(time.RFC3339)
		}
		for _, s := range row.Steps {
			fields := []string{t, s.Step.String(), strconv.FormatInt(s.Sessions, 10), s.FromStart.String(), s.FromPrevious.String()}
			if err := out.row(fields); err != nil {
				return err
			}
		}
	}
	return out.close()
}

func (h *exportHandler) cohorts(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	by := CohortBy(strings.ToUpper(v.Get("by")))
	if by == "" {
		by = ByFirstOrder
	}
	from, to, err := parseRange(v)
	if err != nil {
		return err
	}
	periods, err := parseInt(v, "periods", 6)
	if err != nil {
		return err
	}
	cohorts, err := h.e.Cohorts(r.Context(), by, from, to, periods)
	if err != nil {
		return err
	}
	out := newCSVOut(w)
	out.header("cohorts.csv")
	header := []string{"cohort_month", "users"}
	for k := 0; k <= periods; k++ {
		header = append(header, fmt.Sprintf("month_%d", k))
	}
	if err := out.row(header); err != nil {
		return err
	}
	for _, c := range cohorts {
		fields := []string{c.Month.Format("2006-01"), strconv.FormatInt(c.Users, 10)}
		for _, r := range c.Retention {
			fields = append(fields, r.String())
		}
		if err := out.row(fields); err != nil {
			return err
		}
	}
	return out.close()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseInt(v url.Values, name string, def int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, argErr(name, "invalid %s %q: not an integer", name, s)
	}
	return n, nil
}

func parseTimeParam(v url.Values, name string) (time.Time, error) {
	s := v.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, argErr(name, "invalid %s %q: use an RFC 3339 time such as 2018-01-01T00:00:00Z", name, s)
	}
	return t.UTC(), nil
}

func parseRange(v url.Values) (time.Time, time.Time, error) {
	from, err := parseTimeParam(v, "from")
	if err != nil {
		return from, from, err
	}
	to, err := parseTimeParam(v, "to")
	return from, to, err
}

// ParseLocation loads an IANA time zone; "" is UTC. param names the
// argument in the error.
func ParseLocation(param, name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, argErr(param, "invalid %s %q: use an IANA time zone name such as America/Sao_Paulo", param, name)
	}
	return loc, nil
}

// ParseWeekday parses an English weekday name such as MONDAY, in any case.
func ParseWeekday(param, s string) (time.Weekday, error) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d, nil
		}
	}
	return 0, argErr(param, "invalid %s %q: use a weekday name such as MONDAY", param, s)
}

// ParseMetricsQuery reads a metrics query from URL parameters (see
// NewExportHandler) and validates it.
func ParseMetricsQuery(v url.Values) (Query, error) {
	q := Query{WeekStart: time.Monday}
	for _, m := range splitList(strings.ToUpper(v.Get("measures"))) {
		q.Measures = append(q.Measures, Measure(m))
	}
	for _, d := range splitList(strings.ToUpper(v.Get("dimensions"))) {
		q.Dimensions = append(q.Dimensions, Dimension(d))
	}
	q.Granularity = Granularity(strings.ToUpper(v.Get("granularity")))
	var err error
	if q.From, q.To, err = parseRange(v); err != nil {
		return q, err
	}
	if q.Location, err = ParseLocation("timeZone", v.Get("timeZone")); err != nil {
		return q, err
	}
	if s := v.Get("weekStart"); s != "" {
		if q.WeekStart, err = ParseWeekday("weekStart", s); err != nil {
			return q, err
		}
	}
	q.Filter = Filter{Country: v.Get("country"), State: v.Get("state"), City: v.Get("city"), SellerID: v.Get("seller"),
		ProductID: v.Get("product"), Status: v.Get("status"), PaymentType: v.Get("paymentType")}
	if c := v.Get("category"); c != "" {
		q.Filter.Category = strings.Split(c, "/")
	}
	if s := v.Get("bbox"); s != "" {
		if q.Filter.Box, err = parseBox(s); err != nil {
			return q, err
		}
	}
	for _, k := range splitList(v.Get("orderBy")) {
		key := SortKey{}
		if strings.HasPrefix(k, "-") {
			key.Desc, k = true, k[1:]
		}
		k = strings.ToUpper(k)
		if validDimension(Dimension(k)) {
			key.Dimension = Dimension(k)
		} else {
			key.Measure = Measure(k)
		}
		q.OrderBy = append(q.OrderBy, key)
	}
	if q.First, err = parseInt(v, "first", 0); err != nil {
		return q, err
	}
	switch c := strings.ToUpper(v.Get("compare")); c {
	case "":
	case "PREVIOUS_PERIOD":
		q.Compare = true
	default:
		return q, argErr("compare", "invalid compare %q: use PREVIOUS_PERIOD", c)
	}
	if q.Rolling, err = parseInt(v, "rolling", 0); err != nil {
		return q, err
	}
	if q.TopN, err = parseInt(v, "topN", 0); err != nil {
		return q, err
	}
	q.TopNBy = Measure(strings.ToUpper(v.Get("topNBy")))
	return q, withURLParam(q.Validate())
}

// urlParams maps the GraphQL argument names that Query.Validate reports to
// the URL parameters of the export.
var urlParams = map[string]string{
	"filter.region.country": "country",
	"filter.region.state":   "state",
	"filter.boundingBox":    "bbox",
	"topN.by":               "topNBy",
}

// withURLParam renames the parameter of an ArgError from its GraphQL
// argument to its URL parameter, in Param and in the message.
func withURLParam(err error) error {
	var ae *ArgError
	if !errors.As(err, &ae) {
		return err
	}
	name, ok := urlParams[ae.Param]
	if !ok && strings.HasPrefix(ae.Param, "orderBy[") {
		// The message keeps the index, which names the entry of the list.
		return &ArgError{Param: "orderBy", Message: ae.Message}
	}
	if !ok {
		return err
	}
	return &ArgError{Param: name, Message: strings.ReplaceAll(ae.Message, ae.Param, name)}
}

func parseBox(s string) (*BoundingBox, error) {
	parts := splitList(s)
	if len(parts) != 4 {
		return nil, argErr("bbox", "invalid bbox %q: give minLat,minLon,maxLat,maxLon", s)
	}
	var f [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, argErr("bbox", "invalid bbox %q: %q is not a number", s, p)
		}
		f[i] = x
	}
	b := &BoundingBox{MinLat: f[0], MinLon: f[1], MaxLat: f[2], MaxLon: f[3]}
	if err := b.validate("bbox"); err != nil {
		return nil, err
	}
	return b, nil
}

// ParseFunnelQuery reads a funnel query from URL parameters.
func ParseFunnelQuery(v url.Values) (FunnelQuery, error) {
	q := FunnelQuery{WeekStart: time.Monday, Granularity: Granularity(strings.ToUpper(v.Get("granularity")))}
	for _, s := range splitList(v.Get("steps")) {
		t, err := storage.ParseEventType(s)
		if err != nil {
			return q, argErr("steps", "%s", err.Error())
		}
		q.Steps = append(q.Steps, t)
	}
	var err error
	if q.From, q.To, err = parseRange(v); err != nil {
		return q, err
	}
	if q.Location, err = ParseLocation("timeZone", v.Get("timeZone")); err != nil {
		return q, err
	}
	q.Region = storage.Region{Country: v.Get("country"), State: v.Get("state"), City: v.Get("city")}
	gap, err := parseInt(v, "sessionGapMinutes", 0)
	if err != nil {
		return q, err
	}
	q.SessionGap = time.Duration(gap) * time.Minute
	return q, nil
}
