package lstm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The four LSTM gates: input, forget, candidate cell and output.
var gateNames = [4]string{"input", "forget", "cell", "output"}

// weights are the parameters of the network, each a row-major matrix.
//
// For gate k, in[k] is (2, hidden): row 0 multiplies the input value and
// row 1 is the bias, because every input row is [value, 1]. rec[k] is
// (hidden, hidden) and multiplies the previous state. The output head is
// out (hidden, 1) on the last state plus skip (2, 1) on the last input row,
// which is a linear term in the last value plus the output bias.
type weights struct {
	hidden int
	in     [4][]float64
	rec    [4][]float64
	out    []float64
	skip   []float64
}

// newWeights returns Glorot-uniform weights drawn from rng, with zero
// biases except a forget-gate bias of 1, so the cell starts by keeping its
// state.
func newWeights(hidden int, rng *rand.Rand) *weights {
	uniform := func(n int, fanIn, fanOut int) []float64 {
		limit := math.Sqrt(6 / float64(fanIn+fanOut))
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = (2*rng.Float64() - 1) * limit
		}
		return xs
	}
	w := &weights{hidden: hidden}
	for k := range gateNames {
		w.in[k] = make([]float64, 2*hidden)
		copy(w.in[k], uniform(hidden, 1, hidden))
		w.rec[k] = uniform(hidden*hidden, hidden, hidden)
	}
	for j := range hidden {
		w.in[1][hidden+j] = 1
	}
	w.out = uniform(hidden, hidden, 1)
	w.skip = make([]float64, 2)
	return w
}

// matrices returns the parameters in a fixed order with their shapes and
// the number of leading entries that are weights (subject to weight decay)
// rather than biases.
func (w *weights) matrices() (data [][]float64, shapes [][2]int, decayed []int) {
	h := w.hidden
	for k := range gateNames {
		data = append(data, w.in[k], w.rec[k])
		shapes = append(shapes, [2]int{2, h}, [2]int{h, h})
		decayed = append(decayed, h, h*h)
	}
	data = append(data, w.out, w.skip)
	shapes = append(shapes, [2]int{h, 1}, [2]int{2, 1})
	decayed = append(decayed, h, 1)
	return data, shapes, decayed
}

// clone returns a deep copy of w.
func (w *weights) clone() *weights {
	c := &weights{hidden: w.hidden}
	for k := range gateNames {
		c.in[k] = append([]float64(nil), w.in[k]...)
		c.rec[k] = append([]float64(nil), w.rec[k]...)
	}
	c.out = append([]float64(nil), w.out...)
	c.skip = append([]float64(nil), w.skip...)
	return c
}

// network is the unrolled LSTM as a Gorgonia expression graph for a fixed
// batch size and window.
type network struct {
	graph  *gorgonia.ExprGraph
	inputs []*gorgonia.Node // one (batch, 2) node per time step
	params []*gorgonia.Node // in the order of weights.matrices
	pred   *gorgonia.Node   // (batch, 1)
	target *gorgonia.Node   // (batch, 1), nil unless built for training
	loss   *gorgonia.Node   // mean squared error, nil unless built for training
	batch  int
	window int

	inputData [][]float64 // backing arrays of the input tensors
	targetBuf []float64
}

// buildNetwork builds the graph with copies of w as parameter values. With
// train set it adds the mean squared error loss and its gradients.
func buildNetwork(w *weights, batch, window int, train bool) (*network, error) {
	g := gorgonia.NewGraph()
	n := &network{graph: g, batch: batch, window: window}

	data, shapes, _ := w.matrices()
	for i, d := range data {
		t := tensor.New(tensor.WithShape(shapes[i][0], shapes[i][1]), tensor.WithBacking(append([]float64(nil), d...)))
		n.params = append(n.params, gorgonia.NewMatrix(g, tensor.Float64,
			gorgonia.WithShape(shapes[i][0], shapes[i][1]), gorgonia.WithName(fmt.Sprintf("param%d", i)), gorgonia.WithValue(t)))
	}
	for t := range window {
		buf := make([]float64, 2*batch)
		n.inputData = append(n.inputData, buf)
		value := tensor.New(tensor.WithShape(batch, 2), tensor.WithBacking(buf))
		n.inputs = append(n.inputs, gorgonia.NewMatrix(g, tensor.Float64,
			gorgonia.WithShape(batch, 2), gorgonia.WithName(fmt.Sprintf("x%d", t)), gorgonia.WithValue(value)))
	}

	pred, err := n.unroll()
	if err != nil {
		return nil, fmt.Errorf("lstm: building the network graph: %w", err)
	}
	n.pred = pred
	if !train {
		return n, nil
	}

	n.targetBuf = make([]float64, batch)
	n.target = gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(batch, 1), gorgonia.WithName("y"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(batch, 1), tensor.WithBacking(n.targetBuf))))
	diff, err := gorgonia.Sub(pred, n.target)
	if err != nil {
		return nil, fmt.Errorf("lstm: building the loss: %w", err)
	}
	sq, err := gorgonia.Square(diff)
	if err != nil {
		return nil, fmt.Errorf("lstm: building the loss: %w", err)
	}
	if n.loss, err = gorgonia.Mean(sq); err != nil {
		return nil, fmt.Errorf("lstm: building the loss: %w", err)
	}
	if _, err := gorgonia.Grad(n.loss, n.params...); err != nil {
		return nil, fmt.Errorf("lstm: building the gradients: %w", err)
	}
	return n, nil
}

// unroll adds the LSTM cell for every time step and the output head, and
// returns the prediction node.
//
//	gate_k = act_k(x_t in_k + h_{t-1} rec_k)   (bias inside in_k)
//	c_t = forget*c_{t-1} + input*cell
//	h_t = output*tanh(c_t)
//	y = h_T out + x_T skip
func (n *network) unroll() (*gorgonia.Node, error) {
	var state, cell *gorgonia.Node
	for t, x := range n.inputs {
		var gates [4]*gorgonia.Node
		for k := range gateNames {
			z, err := gorgonia.Mul(x, n.params[2*k])
			if err != nil {
				return nil, err
			}
			if t > 0 {
				r, err := gorgonia.Mul(state, n.params[2*k+1])
				if err != nil {
					return nil, err
				}
				if z, err = gorgonia.Add(z, r); err != nil {
					return nil, err
				}
			}
			if k == 2 {
				gates[k], err = gorgonia.Tanh(z)
			} else {
				gates[k], err = gorgonia.Sigmoid(z)
			}
			if err != nil {
				return nil, err
			}
		}
		next, err := gorgonia.HadamardProd(gates[0], gates[2])
		if err != nil {
			return nil, err
		}
		if t > 0 {
			carried, err := gorgonia.HadamardProd(gates[1], cell)
			if err != nil {
				return nil, err
			}
			if next, err = gorgonia.Add(carried, next); err != nil {
				return nil, err
			}
		}
		cell = next
		squashed, err := gorgonia.Tanh(cell)
		if err != nil {
			return nil, err
		}
		if state, err = gorgonia.HadamardProd(gates[3], squashed); err != nil {
			return nil, err
		}
	}
	head, err := gorgonia.Mul(state, n.params[8])
	if err != nil {
		return nil, err
	}
	skip, err := gorgonia.Mul(n.inputs[len(n.inputs)-1], n.params[9])
	if err != nil {
		return nil, err
	}
	return gorgonia.Add(head, skip)
}

// setInputs writes rows (each one window of values, at most batch
// rows) into the input tensors. Rows past len(rows) are zero.
func (n *network) setInputs(rows [][]float64) {
	for t, buf := range n.inputData {
		for b := range n.batch {
			v := 0.0
			if b < len(rows) {
				v = rows[b][t]
			}
			buf[2*b] = v
			buf[2*b+1] = 1
		}
	}
}

// paramData returns the current values of the parameter nodes, which the
// machine and the solver update in place.
func (n *network) paramData() [][]float64 {
	out := make([][]float64, len(n.params))
	for i, p := range n.params {
		out[i] = p.Value().Data().([]float64)
	}
	return out
}

// readWeights copies the current parameter values into a new weights.
func (n *network) readWeights(hidden int) *weights {
	w := &weights{hidden: hidden}
	data := n.paramData()
	for k := range gateNames {
		w.in[k] = append([]float64(nil), data[2*k]...)
		w.rec[k] = append([]float64(nil), data[2*k+1]...)
	}
	w.out = append([]float64(nil), data[8]...)
	w.skip = append([]float64(nil), data[9]...)
	return w
}

// predictor runs an inference network on batches of windows.
type predictor struct {
	net     *network
	machine gorgonia.VM
}

func newPredictor(w *weights, batch, window int) (*predictor, error) {
	net, err := buildNetwork(w, batch, window, false)
	if err != nil {
		return nil, err
	}
	return &predictor{net: net, machine: gorgonia.NewTapeMachine(net.graph)}, nil
}

// predict returns the one-step prediction for each row, len(rows) <= batch.
func (p *predictor) predict(rows [][]float64) ([]float64, error) {
	p.net.setInputs(rows)
	defer p.machine.Reset()
	if err := p.machine.RunAll(); err != nil {
		return nil, fmt.Errorf("lstm: running the network: %w", err)
	}
	out := p.net.pred.Value().Data().([]float64)
	return append([]float64(nil), out[:len(rows)]...), nil
}

// setWeights copies w into the parameters of the network. The machine
// reads them in place on its next run.
func (p *predictor) setWeights(w *weights) {
	data, _, _ := w.matrices()
	for i, dst := range p.net.paramData() {
		copy(dst, data[i])
	}
}

// maxPredictBatch bounds the batch of the networks built for in-sample and
// validation predictions.
const maxPredictBatch = 512

// predictMany returns one-step predictions for any number of rows, running
// them in batches of at most the predictor's batch size.
func (p *predictor) predictMany(rows [][]float64) ([]float64, error) {
	out := make([]float64, 0, len(rows))
	for start := 0; start < len(rows); start += p.net.batch {
		pred, err := p.predict(rows[start:min(start+p.net.batch, len(rows))])
		if err != nil {
			return nil, err
		}
		out = append(out, pred...)
	}
	return out, nil
}

// predictAll returns the one-step predictions of w for rows.
func predictAll(w *weights, rows [][]float64, window int) ([]float64, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	p, err := newPredictor(w, min(len(rows), maxPredictBatch), window)
	if err != nil {
		return nil, err
	}
	return p.predictMany(rows)
}
