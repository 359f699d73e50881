package auto

import (
	"fmt"
	"strings"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/arima"
	"github.com/shopsight/shopsight/ml/forecast/ets"
	"github.com/shopsight/shopsight/ml/forecast/lstm"
	"github.com/shopsight/shopsight/ml/forecast/naive"
)

// Names returns the model names ByName accepts.
func Names() []string {
	return []string{"naive", "snaive", "ets", "arima", "arima-boxcox", "lstm", "auto"}
}

// ByName returns the model with the given name and default options.
func ByName(name string) (forecast.Forecaster, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "naive":
		return naive.Naive{}, nil
	case "snaive":
		return naive.Seasonal{}, nil
	case "ets":
		return ets.New(ets.DefaultOptions()), nil
	case "arima":
		return arima.New(arima.DefaultOptions()), nil
	case "arima-boxcox":
		return arima.New(arima.DefaultOptions().WithBoxCox(true)), nil
	case "lstm":
		return lstm.New(lstm.DefaultOptions()), nil
	case "auto":
		return New(DefaultOptions()), nil
	}
	return nil, fmt.Errorf("auto: unknown model %q: use one of %s", name, strings.Join(Names(), ", "))
}
