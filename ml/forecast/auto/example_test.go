package auto_test

import (
	"context"
	"fmt"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/auto"
)

func Example() {
	// Eight weeks of daily sales with a weekend peak.
	week := []float64{12, 10, 9, 10, 14, 25, 28}
	var sales []float64
	for range 8 {
		sales = append(sales, week...)
	}

	model, err := auto.ByName("snaive")
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := model.Forecast(context.Background(), forecast.Series{Values: sales, Season: 7, Count: true}, 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Model)
	fmt.Println(r.Mean)
	// Output:
	// SNaive[7]
	// [12 10 9 10 14 25 28]
}
