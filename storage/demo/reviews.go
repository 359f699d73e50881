package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// reviewShare is the share of delivered order items that get a review.
const reviewShare = 0.35

// reviewTexts holds review sentences and titles by rating (index rating-1).
// "{noun}" is replaced by the product's category noun.
type reviewTexts struct {
	Sentences [5][]string
	Titles    [5][]string
	Late      string
}

var reviewsEN = reviewTexts{
	Sentences: [5][]string{
		{"Terrible, the {noun} broke on the first day.", "Do not buy this.", "Completely different from the description, I asked for a refund.", "Worst purchase I have made this year.", "Cheap materials and it smells bad."},
		{"Disappointed with the quality.", "The {noun} looks different from the photos.", "Stopped working properly after a few weeks.", "Not worth the price.", "Sizing is way off."},
		{"It's okay, nothing special.", "Average quality, you get what you pay for.", "Works, but the {noun} feels a bit cheap.", "Not bad, not great.", "Does the job for now."},
		{"Good {noun}, does the job well.", "Quality is good for the price.", "Pretty happy with it, only minor flaws.", "Nice product, packaging could be better.", "Would recommend to friends."},
		{"Absolutely love this {noun}!", "Excellent quality, exactly as described.", "Works perfectly, I would buy again.", "Great value for the price.", "Looks even better in person."},
	},
	Titles: [5][]string{
		{"Awful", "Do not buy", "Waste of money"},
		{"Disappointed", "Not as described"},
		{"Okay", "Average", "It's fine"},
		{"Good buy", "Pretty good", "Solid"},
		{"Love it", "Excellent", "Highly recommend", "Perfect"},
	},
	Late: "Delivery took much longer than promised.",
}

var reviewsZH = reviewTexts{
	Sentences: [5][]string{
		{"太差了，{noun}第一天就坏了。", "千万别买。", "和描述完全不一样，已申请退款。", "最差的一次购物。", "做工粗糙，还有异味。"},
		{"质量让人失望。", "{noun}和图片差别很大。", "用了几周就出问题了。", "不值这个价。", "尺寸偏差太大。"},
		{"一般般，没什么特别的。", "质量一般，对得起这个价格。", "能用，但是{noun}做工有点粗糙。", "中规中矩吧。", "暂时还能用。"},
		{"{noun}不错，挺好用的。", "性价比高，有一点小瑕疵。", "整体满意，包装可以再好一点。", "质量还可以，值得购买。", "会推荐给朋友。"},
		{"非常喜欢这款{noun}！", "质量很好，和描述的一样。", "物超所值，会回购的。", "做工精细，五星好评。", "实物比图片还好看。"},
	},
	Titles: [5][]string{
		{"差评", "别买", "浪费钱"},
		{"失望", "与描述不符"},
		{"一般", "还行"},
		{"还不错", "挺好的"},
		{"非常满意", "好评", "强烈推荐"},
	},
	Late: "物流太慢了，比预计晚了好几天。",
}

// ratingShares is the J-shaped rating distribution of on-time orders, by
// rating 1 to 5, and lateShares is the one of late deliveries.
var (
	ratingShares = []float64{0.10, 0.04, 0.09, 0.20, 0.57}
	lateShares   = []float64{0.35, 0.15, 0.15, 0.15, 0.20}
)

// reviewsForDay returns the reviews of the delivered orders placed on day d,
// numbered from firstSeq. A review is written 12 hours to 8 days after
// delivery, and reviews that would be written after the range are dropped.
func (w *world) reviewsForDay(d int, orders []storage.Order, firstSeq int) []storage.Review {
	r := newRand(w.cfg.Seed, streamReviews, uint64(d))
	var out []storage.Review
	for i := range orders {
		o := &orders[i]
		if o.Status != storage.OrderDelivered {
			continue
		}
		late := o.DeliveredAt.After(o.EstimatedDeliveryAt)
		for _, it := range o.Items {
			if r.Float64() >= reviewShare {
				continue
			}
			at := o.DeliveredAt.Add(time.Duration(12*3600+r.IntN(8*secondsPerDay)) * time.Second)
			if !at.Before(w.cfg.End) {
				continue
			}
			rev := w.writeReview(r, it.ProductID, late)
			rev.ID = fmt.Sprintf("r%07d", firstSeq+len(out)+1)
			rev.UserID, rev.OrderID, rev.CreatedAt = o.UserID, o.ID, at
			out = append(out, rev)
		}
	}
	return out
}

// writeReview returns the rating, title and text of a review of productID.
// Product quality moves ratings up or down one star. Late deliveries draw
// from lateShares and often mention the delay.
func (w *world) writeReview(r *rand.Rand, productID string, late bool) storage.Review {
	p := &w.products[productIndex(productID)]
	shares := ratingShares
	if late {
		shares = lateShares
	}
	rating := 1 + pickWeighted(r, shares)
	if q := p.Quality; r.Float64() < 0.4*math.Abs(q) {
		if q > 0 {
			rating = min(5, rating+1)
		} else {
			rating = max(1, rating-1)
		}
	}

	texts := &reviewsEN
	sep := " "
	if p.Language == "zh" {
		texts, sep = &reviewsZH, ""
	}
	pool := texts.Sentences[rating-1]
	first := r.IntN(len(pool))
	sentences := []string{pool[first]}
	if r.Float64() < 0.6 {
		sentences = append(sentences, pool[(first+1+r.IntN(len(pool)-1))%len(pool)])
	}
	if late && rating <= 3 && r.Float64() < 0.7 {
		sentences = append(sentences, texts.Late)
	}
	text := strings.ReplaceAll(strings.Join(sentences, sep), "{noun}", p.Noun)
	if p.Language == "en" {
		text = capitalizeFirst(text)
	}
	rev := storage.Review{ProductID: productID, Rating: int32(rating), Text: text, Language: p.Language}
	if r.Float64() < 0.45 {
		rev.Title = pick(r, texts.Titles[rating-1])
	}
	return rev
}

func capitalizeFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
