package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// nameChar is a Chinese character with its pinyin, used to build names and
// the matching ASCII e-mail addresses.
type nameChar struct{ Han, Pinyin string }

var (
	firstNamesBR = []string{"Ana", "Maria", "João", "Pedro", "Lucas", "Gabriel", "Juliana", "Fernanda", "Rafael", "Bruno",
		"Camila", "Larissa", "Mateus", "Beatriz", "Carlos", "Luíza", "Thiago", "Mariana", "Felipe", "Letícia", "Gustavo", "Vitória"}
	lastNamesBR = []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
		"Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Araújo", "Conceição"}
	firstNamesUS = []string{"James", "Mary", "Michael", "Jennifer", "David", "Emily", "Daniel", "Sarah", "Chris", "Jessica",
		"Matthew", "Ashley", "Andrew", "Olivia", "Joshua", "Emma", "Ryan", "Sophia", "Tyler", "Madison", "Carlos", "Priya", "Kevin", "Grace"}
	lastNamesUS = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Nguyen", "Patel", "Kim"}
	surnamesCN = []nameChar{{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"}, {"黄", "huang"},
		{"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"}, {"徐", "xu"}, {"孙", "sun"}, {"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"},
		{"郭", "guo"}, {"何", "he"}, {"高", "gao"}, {"林", "lin"}, {"罗", "luo"}}
	givenCharsCN = []nameChar{{"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"}, {"丽", "li"}, {"强", "qiang"},
		{"磊", "lei"}, {"军", "jun"}, {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"}, {"杰", "jie"}, {"娟", "juan"}, {"涛", "tao"},
		{"明", "ming"}, {"超", "chao"}, {"秀", "xiu"}, {"霞", "xia"}, {"平", "ping"}, {"刚", "gang"}, {"华", "hua"}, {"玉", "yu"},
		{"兰", "lan"}, {"文", "wen"}, {"辉", "hui"}, {"鑫", "xin"}, {"宇", "yu"}, {"浩", "hao"}, {"欣", "xin"}, {"怡", "yi"},
		{"子", "zi"}, {"涵", "han"}, {"梓", "zi"}, {"轩", "xuan"}, {"思", "si"}, {"雨", "yu"}, {"晨", "chen"}, {"博", "bo"}}

	// Mail domains are the reserved example domains (RFC 2606), so generated
	// addresses never belong to a real mailbox.
	mailDomains = []string{"example.com", "example.net", "example.org"}

	sellerCoreBR   = []string{"Bela", "Tech", "Verde", "Sol", "Brasil", "Norte", "Prime", "Estrela", "Aurora", "Ipê"}
	sellerPrefixBR = []string{"Casa", "Mundo", "Loja", "Empório", "Ponto"}
	sellerSuffixBR = []string{" Ltda", " Store", " Comércio", ""}
	sellerCoreCN   = []string{"华强", "优品", "星辰", "锦程", "新航", "恒泰", "嘉禾", "美佳", "云端", "百盛"}
	sellerSuffixCN = []string{"电子商行", "贸易有限公司", "旗舰店", "百货", "家居馆"}
	sellerCoreUS   = []string{"Summit", "Harbor", "Maple", "Blue Ridge", "Golden Gate", "Liberty", "Pioneer", "Evergreen", "Lakeside", "Redwood"}
	sellerSuffixUS = []string{" Goods Co.", " Supply", " Outfitters", " Trading", " Market"}
)

// asciiFold maps the accented letters of Portuguese names to ASCII for
// e-mail addresses.
var asciiFold = strings.NewReplacer("á", "a", "â", "a", "ã", "a", "à", "a", "é", "e", "ê", "e", "í", "i",
	"ó", "o", "ô", "o", "õ", "o", "ú", "u", "ç", "c", "Á", "a", "É", "e", "Í", "i", "Ó", "o", "Ú", "u")

// personName returns a display name and an ASCII e-mail local part for a
// person in country.
func personName(r *rand.Rand, country string) (name, local string) {
	switch country {
	case "CN":
		surname := pick(r, surnamesCN)
		given := []nameChar{pick(r, givenCharsCN)}
		if r.Float64() < 0.7 {
			given = append(given, pick(r, givenCharsCN))
		}
		name, pinyin := surname.Han, ""
		for _, c := range given {
			name += c.Han
			pinyin += c.Pinyin
		}
		return name, pinyin + "." + surname.Pinyin
	case "BR":
		first, last := pick(r, firstNamesBR), pick(r, lastNamesBR)
		name = first + " " + last
		if r.Float64() < 0.4 {
			name = first + " " + pick(r, lastNamesBR) + " " + last
		}
		return name, strings.ToLower(asciiFold.Replace(first + "." + last))
	default:
		first, last := pick(r, firstNamesUS), pick(r, lastNamesUS)
		return first + " " + last, strings.ToLower(first + "." + last)
	}
}

// uniqueEmail returns an address for local that is not in used and records it.
// Local parts end with a letter, so appending digits never collides with
// another person's plain address.
func uniqueEmail(r *rand.Rand, local string, index int, used map[string]bool) string {
	domain := pick(r, mailDomains)
	candidates := []string{local}
	for range 3 {
		candidates = append(candidates, fmt.Sprintf("%s%d", local, 1+r.IntN(999)))
	}
	candidates = append(candidates, fmt.Sprintf("%s%d", local, 1000+index))
	for _, c := range candidates {
		addr := c + "@" + domain
		if !used[addr] {
			used[addr] = true
			return addr
		}
	}
	// The index-based candidate is unique per user, so this is not reached
	// unless two users share an index.
	return fmt.Sprintf("%s.%d@%s", local, index, domain)
}

// userProfile is the part of a user that drives the order simulation.
type userProfile struct {
	Country    string
	City       int     // index into cities
	Propensity float64 // relative order rate, zero for users who never buy
	Location   storage.GeoPoint
	Region     storage.Region
	SignupAt   int64 // Unix seconds
}

// makeUsers builds all users, sorted by signup time, which is also ID order.
// About 40% sign up in the three years before the range and the rest during
// it, with more signups later as the shop grows.
func makeUsers(cfg Config, regions *regionTable) ([]storage.User, []userProfile) {
	r := newRand(cfg.Seed, streamUsers, 0)
	n := cfg.scaled(defaultUsers, minScaledUsers)
	rangeSecs := cfg.End.Sub(cfg.Start).Seconds()
	before := 3 * 365 * 24 * time.Hour
	signups := make([]int64, n)
	for i := range signups {
		var offset float64
		if r.Float64() < 0.4 {
			offset = -r.Float64() * before.Seconds()
		} else {
			// The square root skews signups towards the end of the range.
			offset = math.Sqrt(r.Float64()) * rangeSecs * 0.97
		}
		signups[i] = cfg.Start.Unix() + int64(offset)
	}
	slices.Sort(signups)

	users := make([]storage.User, n)
	profiles := make([]userProfile, n)
	used := make(map[string]bool, n)
	for i := range users {
		country := pickCountry(r)
		ci := regions.pickCity(r, country)
		region, point := placeIn(r, &cities[ci], 4)
		name, local := personName(r, country)
		users[i] = storage.User{
			ID:       userID(i),
			Name:     name,
			Email:    uniqueEmail(r, local, i, used),
			Region:   region,
			Location: point,
			SignupAt: time.Unix(signups[i], 0).UTC(),
		}
		propensity := 0.0
		if r.Float64() >= 0.15 {
			// A Pareto-like tail: most buyers order a few times, a few order often.
			propensity = math.Min(25, 1/math.Pow(1-r.Float64(), 0.8))
		}
		profiles[i] = userProfile{Country: country, City: ci, Propensity: propensity,
			Location: *point, Region: region, SignupAt: signups[i]}
	}
	return users, profiles
}

// sellerProfile is the part of a seller that drives the order simulation.
type sellerProfile struct {
	Country   string
	Location  storage.GeoPoint
	TopLevels []string // top categories the seller carries
}

// makeSellers builds the sellers: 40% in China, 30% each in Brazil and the
// United States, each carrying one to three top categories.
func makeSellers(cfg Config, regions *regionTable) ([]storage.Seller, []sellerProfile) {
	r := newRand(cfg.Seed, streamSellers, 0)
	tops := topCategories()
	sellers := make([]storage.Seller, numSellers)
	profiles := make([]sellerProfile, numSellers)
	used := map[string]bool{}
	for i := range sellers {
		country := "CN"
		switch {
		case i%10 >= 7:
			country = "US"
		case i%10 >= 4:
			country = "BR"
		}
		ci := regions.pickCity(r, country)
		region, point := placeIn(r, &cities[ci], 8)
		name := sellerName(r, country, &cities[ci])
		for used[name] {
			name = sellerName(r, country, &cities[ci])
		}
		used[name] = true
		sellers[i] = storage.Seller{ID: sellerID(i), Name: name, Region: region, Location: point}

		carried := []string{pick(r, tops)}
		for range r.IntN(3) {
			if t := pick(r, tops); !slices.Contains(carried, t) {
				carried = append(carried, t)
			}
		}
		profiles[i] = sellerProfile{Country: country, Location: *point, TopLevels: carried}
	}
	return sellers, profiles
}

func sellerName(r *rand.Rand, country string, c *city) string {
	switch country {
	case "CN":
		return c.NameZH + pick(r, sellerCoreCN) + pick(r, sellerSuffixCN)
	case "BR":
		return pick(r, sellerPrefixBR) + " " + pick(r, sellerCoreBR) + pick(r, sellerSuffixBR)
	default:
		return pick(r, sellerCoreUS) + pick(r, sellerSuffixUS)
	}
}

func userID(i int) string    { return fmt.Sprintf("u%06d", i+1) }
func sellerID(i int) string  { return fmt.Sprintf("s%04d", i+1) }
func productID(i int) string { return fmt.Sprintf("p%05d", i+1) }

// productIndex and userIndex invert productID and userID for IDs this
// package generated.
func productIndex(id string) int { n, _ := strconv.Atoi(id[1:]); return n - 1 }
func userIndex(id string) int    { n, _ := strconv.Atoi(id[1:]); return n - 1 }
