package demo

// phrase is a text in English and Chinese.
type phrase struct{ EN, ZH string }

// leafCategory is a leaf of the category tree with the vocabulary and price
// range of its products. Prices are USD cents.
type leafCategory struct {
	Path       []string
	Noun       phrase
	MinPrice   int64
	MaxPrice   int64
	Weight     float64 // share of the catalog
	BrandsEN   []string
	BrandsZH   []string
	Features   []phrase
	Materials  []phrase
	Sizes      []phrase
	Models     []string // devices the product fits, such as phone models
	NoColour   bool
	QueriesEN  []string
	QueriesZH  []string
	Complement int // index of a leaf often bought together, or -1
}

// colours are shared by every leaf that has colours.
var colours = []phrase{
	{"Black", "黑色"}, {"White", "白色"}, {"Red", "红色"}, {"Blue", "蓝色"}, {"Green", "绿色"},
	{"Grey", "灰色"}, {"Pink", "粉色"}, {"Beige", "米色"}, {"Navy", "藏青色"},
}

var (
	clothingSizes = []phrase{{"S", "S"}, {"M", "M"}, {"L", "L"}, {"XL", "XL"}, {"XXL", "XXL"}}
	shoeSizes     = []phrase{{"EU 38", "38码"}, {"EU 39", "39码"}, {"EU 40", "40码"}, {"EU 41", "41码"}, {"EU 42", "42码"}, {"EU 43", "43码"}, {"EU 44", "44码"}}
	weightSizes   = []phrase{{"250 g", "250克"}, {"500 g", "500克"}, {"1 kg", "1千克"}}
	volumeSizes   = []phrase{{"30 ml", "30毫升"}, {"50 ml", "50毫升"}, {"100 ml", "100毫升"}}
	plastic       = phrase{"ABS plastic", "ABS塑料"}
	cotton        = phrase{"cotton", "纯棉"}
	steel         = phrase{"stainless steel", "不锈钢"}
	leather       = phrase{"leather", "皮革"}
	nylon         = phrase{"nylon", "尼龙"}
	aluminium     = phrase{"aluminium", "铝合金"}
	polyester     = phrase{"polyester", "聚酯纤维"}

	techBrandsEN = []string{"Voltix", "Nordwave", "Lumora", "Kestrel", "Arcfield"}
	techBrandsZH = []string{"极速", "南极星", "锐途", "悦声", "星光"}
	homeBrandsEN = []string{"Hearthly", "Oakmere", "Casa Nova", "Pinecrest"}
	homeBrandsZH = []string{"悦家", "木语", "简居", "暖屋"}
	wearBrandsEN = []string{"Northpeak", "Urban Thread", "Solstice", "Fieldway"}
	wearBrandsZH = []string{"衣本", "森屿", "潮牌坊", "素衣"}
	careBrandsEN = []string{"Aurelle", "Bloomwell", "Pure Leaf"}
	careBrandsZH = []string{"花间", "水润", "初颜"}
	playBrandsEN = []string{"Brightblock", "Tiny Giant", "Playwise"}
	playBrandsZH = []string{"童趣", "积木王", "小象"}
	bookBrandsEN = []string{"Harbor House", "Lantern Press", "Quill & Co."}
	bookBrandsZH = []string{"新星出版", "青灯书局", "墨香"}
	foodBrandsEN = []string{"Highland Roasters", "Daily Crunch", "Golden Field"}
	foodBrandsZH = []string{"山野", "小鹿坚果", "味之源"}
)

// leafCategories is the category tree, given by its leaves: 8 top categories
// and 30 leaves at depth 2 or 3.
var leafCategories = []leafCategory{
	{Path: []string{"electronics", "phones", "cases"}, Noun: phrase{"Phone Case", "手机壳"}, MinPrice: 799, MaxPrice: 3999, Weight: 1.6,
		BrandsEN: techBrandsEN, BrandsZH: techBrandsZH,
		Features:  []phrase{{"Clear Shockproof", "透明防摔"}, {"Slim Matte", "超薄磨砂"}, {"Leather Wallet", "皮革翻盖"}, {"Magnetic", "磁吸"}, {"Rugged Armor", "军工级防摔"}},
		Materials: []phrase{{"TPU", "TPU"}, {"silicone", "硅胶"}, leather, {"polycarbonate", "聚碳酸酯"}},
		Models:    []string{"iPhone 15", "iPhone 15 Pro", "Galaxy S24", "Pixel 8", "Redmi Note 13"},
		QueriesEN: []string{"phone case", "iphone 15 case", "clear case", "shockproof case"}, QueriesZH: []string{"手机壳", "透明手机壳", "防摔手机壳", "iPhone 15 手机壳"}, Complement: 1},
	{Path: []string{"electronics", "phones", "chargers"}, Noun: phrase{"Charger", "充电器"}, MinPrice: 1299, MaxPrice: 4999, Weight: 1.2,
		BrandsEN: techBrandsEN, BrandsZH: techBrandsZH,
		Features:  []phrase{{"20W USB-C Fast", "20W快充"}, {"65W GaN", "65W氮化镓"}, {"Wireless", "无线"}, {"Dual Port", "双口"}},
		Materials: []phrase{plastic},
		QueriesEN: []string{"fast charger", "usb c charger", "wireless charger"}, QueriesZH: []string{"快充充电器", "氮化镓充电器", "无线充电器"}, Complement: 0},
	{Path: []string{"electronics", "audio", "headphones"}, Noun: phrase{"Headphones", "耳机"}, MinPrice: 1999, MaxPrice: 19999, Weight: 1.3,
		BrandsEN: techBrandsEN, BrandsZH: techBrandsZH,
		Features:  []phrase{{"Wireless Noise Cancelling", "无线降噪"}, {"Bluetooth Over-Ear", "蓝牙头戴式"}, {"True Wireless", "真无线"}, {"Sports", "运动"}},
		Materials: []phrase{plastic, aluminium},
		QueriesEN: []string{"wireless headphones", "noise cancelling headphones", "earbuds"}, QueriesZH: []string{"蓝牙耳机", "降噪耳机", "无线耳机"}, Complement: 1},
	{Path: []string{"electronics", "audio", "speakers"}, Noun: phrase{"Speaker", "音箱"}, MinPrice: 2499, MaxPrice: 14999, Weight: 0.8,
		BrandsEN: techBrandsEN, BrandsZH: techBrandsZH,
		Features:  []phrase{{"Portable Bluetooth", "便携蓝牙"}, {"Waterproof", "防水"}, {"Smart", "智能"}},
		Materials: []phrase{plastic, {"fabric", "布艺"}},
		QueriesEN: []string{"bluetooth speaker", "portable speaker"}, QueriesZH: []string{"蓝牙音箱", "智能音箱"}, Complement: -1},
	{Path: []string{"electronics", "computers", "keyboards"}, Noun: phrase{"Keyboard", "键盘"}, MinPrice: 2499, MaxPrice: 12999, Weight: 0.8,
		BrandsEN: techBrandsEN, BrandsZH: techBrandsZH,
		Features:  []phrase{{"Mechanical", "机械"}, {"Wireless", "无线"}, {"RGB Gaming", "RGB电竞"}, {"Compact 75%", "75%配列"}},
		Materials: []phrase{aluminium, plastic},
		QueriesEN: []string{"mechanical keyboard", "wireless keyboard"}, QueriesZH: []string{"机械键盘", "无线键盘"}, Complement: 5},
	{Path: []string{"electronics", "computers", "mice"}, Noun: phrase{"Mouse", "鼠标"}, MinPrice: 999, MaxPrice: 7999, Weight: 0.9,
		BrandsEN: techBrandsEN, BrandsZH: techBrandsZH,
		Features:  []phrase{{"Wireless", "无线"}, {"Ergonomic", "人体工学"}, {"Gaming", "电竞"}, {"Silent", "静音"}},
		Materials: []phrase{plastic},
		QueriesEN: []string{"wireless mouse", "gaming mouse"}, QueriesZH: []string{"无线鼠标", "电竞鼠标"}, Complement: 4},
	{Path: []string{"home", "kitchen", "cookware"}, Noun: phrase{"Frying Pan", "煎锅"}, MinPrice: 1999, MaxPrice: 8999, Weight: 1.0,
		BrandsEN: homeBrandsEN, BrandsZH: homeBrandsZH,
		Features:  []phrase{{"Non-Stick", "不粘"}, {"Deep", "深口"}, {"Induction-Ready", "电磁炉通用"}},
		Materials: []phrase{{"cast iron", "铸铁"}, steel, aluminium},
		Sizes:     []phrase{{"24 cm", "24厘米"}, {"28 cm", "28厘米"}, {"32 cm", "32厘米"}},
		QueriesEN: []string{"non stick pan", "frying pan"}, QueriesZH: []string{"不粘锅", "煎锅"}, Complement: 7},
	{Path: []string{"home", "kitchen", "knives"}, Noun: phrase{"Chef Knife", "厨师刀"}, MinPrice: 1499, MaxPrice: 9999, Weight: 0.6,
		BrandsEN: homeBrandsEN, BrandsZH: homeBrandsZH,
		Features:  []phrase{{"Damascus", "大马士革"}, {"Forged", "锻打"}, {"Santoku", "三德"}},
		Materials: []phrase{steel, {"ceramic", "陶瓷"}},
		NoColour:  true,
		QueriesEN: []string{"chef knife", "kitchen knife"}, QueriesZH: []string{"菜刀", "厨师刀"}, Complement: 6},
	{Path: []string{"home", "bedding"}, Noun: phrase{"Bed Sheet Set", "床单四件套"}, MinPrice: 2999, MaxPrice: 12999, Weight: 0.9,
		BrandsEN: homeBrandsEN, BrandsZH: homeBrandsZH,
		Features:  []phrase{{"Breathable", "透气"}, {"Soft Washed", "水洗"}, {"Cooling", "凉感"}},
		Materials: []phrase{cotton, {"linen", "亚麻"}, {"microfiber", "超细纤维"}},
		Sizes:     []phrase{{"Twin", "1.2米"}, {"Queen", "1.5米"}, {"King", "1.8米"}},
		QueriesEN: []string{"bed sheets", "cotton sheet set"}, QueriesZH: []string{"床单", "四件套"}, Complement: 11},
	{Path: []string{"home", "decor", "lamps"}, Noun: phrase{"Table Lamp", "台灯"}, MinPrice: 1999, MaxPrice: 9999, Weight: 0.7,
		BrandsEN: homeBrandsEN, BrandsZH: homeBrandsZH,
		Features:  []phrase{{"LED Dimmable", "LED调光"}, {"Eye-Care", "护眼"}, {"Minimalist", "简约"}},
		Materials: []phrase{{"metal", "金属"}, {"wood", "实木"}, {"ceramic", "陶瓷"}},
		QueriesEN: []string{"desk lamp", "led lamp"}, QueriesZH: []string{"台灯", "护眼台灯"}, Complement: -1},
	{Path: []string{"home", "storage"}, Noun: phrase{"Storage Box", "收纳箱"}, MinPrice: 999, MaxPrice: 4999, Weight: 0.8,
		BrandsEN: homeBrandsEN, BrandsZH: homeBrandsZH,
		Features:  []phrase{{"Foldable", "可折叠"}, {"Stackable", "可叠加"}, {"Large Capacity", "大容量"}},
		Materials: []phrase{{"plastic", "塑料"}, {"fabric", "布艺"}},
		QueriesEN: []string{"storage box", "storage bin"}, QueriesZH: []string{"收纳箱", "收纳盒"}, Complement: -1},
	{Path: []string{"home", "bath", "towels"}, Noun: phrase{"Bath Towel Set", "浴巾套装"}, MinPrice: 1499, MaxPrice: 5999, Weight: 0.7,
		BrandsEN: homeBrandsEN, BrandsZH: homeBrandsZH,
		Features:  []phrase{{"Quick-Dry", "速干"}, {"Ultra Absorbent", "强吸水"}, {"Hotel Quality", "酒店级"}},
		Materials: []phrase{cotton, {"bamboo fibre", "竹纤维"}},
		QueriesEN: []string{"bath towel", "towel set"}, QueriesZH: []string{"浴巾", "毛巾套装"}, Complement: 8},
	{Path: []string{"fashion", "women", "dresses"}, Noun: phrase{"Dress", "连衣裙"}, MinPrice: 1999, MaxPrice: 8999, Weight: 1.2,
		BrandsEN: wearBrandsEN, BrandsZH: wearBrandsZH,
		Features:  []phrase{{"Floral Summer", "碎花夏季"}, {"Casual Midi", "休闲中长款"}, {"Elegant Evening", "优雅晚宴"}},
		Materials: []phrase{cotton, {"chiffon", "雪纺"}, polyester},
		Sizes:     clothingSizes,
		QueriesEN: []string{"summer dress", "floral dress"}, QueriesZH: []string{"连衣裙", "碎花连衣裙"}, Complement: 15},
	{Path: []string{"fashion", "men", "t-shirts"}, Noun: phrase{"T-Shirt", "T恤"}, MinPrice: 999, MaxPrice: 3999, Weight: 1.1,
		BrandsEN: wearBrandsEN, BrandsZH: wearBrandsZH,
		Features:  []phrase{{"Crew Neck", "圆领"}, {"Oversized", "宽松"}, {"Graphic", "印花"}},
		Materials: []phrase{cotton, polyester},
		Sizes:     clothingSizes,
		QueriesEN: []string{"men t shirt", "cotton t-shirt"}, QueriesZH: []string{"男士T恤", "纯棉T恤"}, Complement: 14},
	{Path: []string{"fashion", "shoes", "sneakers"}, Noun: phrase{"Sneakers", "运动鞋"}, MinPrice: 3999, MaxPrice: 15999, Weight: 1.0,
		BrandsEN: wearBrandsEN, BrandsZH: wearBrandsZH,
		Features:  []phrase{{"Running", "跑步"}, {"Lightweight", "轻便"}, {"Retro", "复古"}},
		Materials: []phrase{{"mesh", "网面"}, leather, {"canvas", "帆布"}},
		Sizes:     shoeSizes,
		QueriesEN: []string{"running shoes", "sneakers"}, QueriesZH: []string{"运动鞋", "跑步鞋"}, Complement: 13},
	{Path: []string{"fashion", "accessories", "bags"}, Noun: phrase{"Backpack", "双肩包"}, MinPrice: 2499, MaxPrice: 12999, Weight: 0.8,
		BrandsEN: wearBrandsEN, BrandsZH: wearBrandsZH,
		Features:  []phrase{{"Anti-Theft", "防盗"}, {"Laptop", "电脑"}, {"Waterproof Travel", "防水旅行"}},
		Materials: []phrase{nylon, {"canvas", "帆布"}, leather},
		QueriesEN: []string{"backpack", "laptop backpack"}, QueriesZH: []string{"双肩包", "电脑包"}, Complement: -1},
	{Path: []string{"fashion", "accessories", "watches"}, Noun: phrase{"Watch", "手表"}, MinPrice: 4999, MaxPrice: 29999, Weight: 0.6,
		BrandsEN: wearBrandsEN, BrandsZH: wearBrandsZH,
		Features:  []phrase{{"Quartz", "石英"}, {"Automatic Mechanical", "自动机械"}, {"Minimalist", "简约"}},
		Materials: []phrase{steel, leather},
		QueriesEN: []string{"watch", "mens watch"}, QueriesZH: []string{"手表", "机械表"}, Complement: -1},
	{Path: []string{"beauty", "skincare"}, Noun: phrase{"Face Moisturizer", "面霜"}, MinPrice: 999, MaxPrice: 6999, Weight: 1.0,
		BrandsEN: careBrandsEN, BrandsZH: careBrandsZH,
		Features: []phrase{{"Hyaluronic Acid", "玻尿酸"}, {"Vitamin C", "维C"}, {"Sensitive Skin", "敏感肌"}},
		Sizes:    []phrase{{"50 ml", "50毫升"}, {"100 ml", "100毫升"}}, NoColour: true,
		QueriesEN: []string{"moisturizer", "vitamin c cream"}, QueriesZH: []string{"面霜", "保湿面霜"}, Complement: 18},
	{Path: []string{"beauty", "makeup"}, Noun: phrase{"Lipstick", "口红"}, MinPrice: 699, MaxPrice: 3999, Weight: 1.0,
		BrandsEN: careBrandsEN, BrandsZH: careBrandsZH,
		Features:  []phrase{{"Matte", "哑光"}, {"Long-Lasting", "持久"}, {"Moisturizing", "滋润"}},
		QueriesEN: []string{"lipstick", "matte lipstick"}, QueriesZH: []string{"口红", "哑光口红"}, Complement: 17},
	{Path: []string{"beauty", "fragrance"}, Noun: phrase{"Eau de Parfum", "香水"}, MinPrice: 2999, MaxPrice: 14999, Weight: 0.6,
		BrandsEN: careBrandsEN, BrandsZH: careBrandsZH,
		Features: []phrase{{"Floral", "花香"}, {"Woody", "木质"}, {"Citrus", "柑橘"}},
		Sizes:    volumeSizes, NoColour: true,
		QueriesEN: []string{"perfume", "womens perfume"}, QueriesZH: []string{"香水", "淡香水"}, Complement: -1},
	{Path: []string{"sports", "fitness", "yoga-mats"}, Noun: phrase{"Yoga Mat", "瑜伽垫"}, MinPrice: 1499, MaxPrice: 6999, Weight: 0.8,
		BrandsEN: wearBrandsEN, BrandsZH: wearBrandsZH,
		Features:  []phrase{{"Non-Slip", "防滑"}, {"Extra Thick", "加厚"}, {"Eco", "环保"}},
		Materials: []phrase{{"TPE", "TPE"}, {"natural rubber", "天然橡胶"}, {"NBR foam", "NBR"}},
		Sizes:     []phrase{{"6 mm", "6毫米"}, {"8 mm", "8毫米"}, {"10 mm", "10毫米"}},
		QueriesEN: []string{"yoga mat", "non slip yoga mat"}, QueriesZH: []string{"瑜伽垫", "加厚瑜伽垫"}, Complement: -1},
	{Path: []string{"sports", "cycling", "helmets"}, Noun: phrase{"Bike Helmet", "骑行头盔"}, MinPrice: 2999, MaxPrice: 11999, Weight: 0.5,
		BrandsEN: wearBrandsEN, BrandsZH: wearBrandsZH,
		Features:  []phrase{{"Lightweight", "轻量"}, {"LED Tail Light", "带尾灯"}, {"Aero", "气动"}},
		Materials: []phrase{{"EPS foam", "EPS"}, {"polycarbonate", "聚碳酸酯"}},
		Sizes:     []phrase{{"M", "M"}, {"L", "L"}},
		QueriesEN: []string{"bike helmet", "cycling helmet"}, QueriesZH: []string{"骑行头盔", "自行车头盔"}, Complement: -1},
	{Path: []string{"sports", "outdoor", "tents"}, Noun: phrase{"Camping Tent", "帐篷"}, MinPrice: 4999, MaxPrice: 29999, Weight: 0.5,
		BrandsEN: wearBrandsEN, BrandsZH: wearBrandsZH,
		Features:  []phrase{{"2-Person", "双人"}, {"4-Person Family", "四人家庭"}, {"Waterproof Pop-Up", "防水速开"}},
		Materials: []phrase{nylon, polyester},
		QueriesEN: []string{"camping tent", "pop up tent"}, QueriesZH: []string{"帐篷", "露营帐篷"}, Complement: -1},
	{Path: []string{"toys", "building-blocks"}, Noun: phrase{"Building Blocks Set", "积木套装"}, MinPrice: 1499, MaxPrice: 9999, Weight: 0.8,
		BrandsEN: playBrandsEN, BrandsZH: playBrandsZH,
		Features:  []phrase{{"City", "城市"}, {"Space", "太空"}, {"Creative", "创意"}},
		Materials: []phrase{plastic},
		Sizes:     []phrase{{"500 pcs", "500粒"}, {"1000 pcs", "1000粒"}}, NoColour: true,
		QueriesEN: []string{"building blocks", "brick set"}, QueriesZH: []string{"积木", "拼装积木"}, Complement: -1},
	{Path: []string{"toys", "dolls"}, Noun: phrase{"Plush Toy", "毛绒玩具"}, MinPrice: 999, MaxPrice: 4999, Weight: 0.6,
		BrandsEN: playBrandsEN, BrandsZH: playBrandsZH,
		Features:  []phrase{{"Cuddly Bear", "抱抱熊"}, {"Bunny", "兔子"}, {"Giant", "超大号"}},
		Materials: []phrase{{"plush", "毛绒"}, cotton},
		QueriesEN: []string{"plush toy", "teddy bear"}, QueriesZH: []string{"毛绒玩具", "公仔"}, Complement: -1},
	{Path: []string{"toys", "board-games"}, Noun: phrase{"Board Game", "桌游"}, MinPrice: 1499, MaxPrice: 5999, Weight: 0.5,
		BrandsEN: playBrandsEN, BrandsZH: playBrandsZH,
		Features: []phrase{{"Strategy", "策略"}, {"Family", "家庭"}, {"Party", "聚会"}}, NoColour: true,
		QueriesEN: []string{"board game", "family game"}, QueriesZH: []string{"桌游", "聚会桌游"}, Complement: -1},
	{Path: []string{"books", "fiction"}, Noun: phrase{"Novel", "小说"}, MinPrice: 899, MaxPrice: 2999, Weight: 0.8,
		BrandsEN: bookBrandsEN, BrandsZH: bookBrandsZH,
		Features: []phrase{{"Mystery", "悬疑"}, {"Science Fiction", "科幻"}, {"Romance", "爱情"}},
		Sizes:    []phrase{{"Paperback", "平装"}, {"Hardcover", "精装"}}, NoColour: true,
		QueriesEN: []string{"mystery novel", "sci fi book"}, QueriesZH: []string{"悬疑小说", "科幻小说"}, Complement: -1},
	{Path: []string{"books", "cooking"}, Noun: phrase{"Cookbook", "食谱"}, MinPrice: 1299, MaxPrice: 3999, Weight: 0.4,
		BrandsEN: bookBrandsEN, BrandsZH: bookBrandsZH,
		Features: []phrase{{"Vegetarian", "素食"}, {"Quick Weeknight", "快手家常"}, {"Baking", "烘焙"}},
		Sizes:    []phrase{{"Paperback", "平装"}, {"Hardcover", "精装"}}, NoColour: true,
		QueriesEN: []string{"cookbook", "baking book"}, QueriesZH: []string{"食谱", "烘焙书"}, Complement: 6},
	{Path: []string{"grocery", "coffee-tea"}, Noun: phrase{"Coffee Beans", "咖啡豆"}, MinPrice: 999, MaxPrice: 3999, Weight: 0.9,
		BrandsEN: foodBrandsEN, BrandsZH: foodBrandsZH,
		Features: []phrase{{"Single-Origin", "单一产地"}, {"Dark Roast", "深烘"}, {"Organic", "有机"}},
		Sizes:    weightSizes, NoColour: true,
		QueriesEN: []string{"coffee beans", "dark roast coffee"}, QueriesZH: []string{"咖啡豆", "深烘咖啡"}, Complement: 29},
	{Path: []string{"grocery", "snacks"}, Noun: phrase{"Snack Box", "零食礼盒"}, MinPrice: 799, MaxPrice: 3999, Weight: 0.9,
		BrandsEN: foodBrandsEN, BrandsZH: foodBrandsZH,
		Features: []phrase{{"Mixed Nuts", "混合坚果"}, {"Spicy", "麻辣"}, {"Healthy", "健康"}},
		Sizes:    weightSizes, NoColour: true,
		QueriesEN: []string{"snack box", "mixed nuts"}, QueriesZH: []string{"零食大礼包", "坚果"}, Complement: 28},
}
