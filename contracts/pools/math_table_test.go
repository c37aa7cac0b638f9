package pools

import (
	"bufio"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
)

// TestMathTable runs the worked cases of testdata/math.txt: one call of the
// pool math per line, with its expected result after "->". A table reads
// better than code for checking a rounding by eye.
func TestMathTable(t *testing.T) {
	f, err := os.Open("testdata/math.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	cases := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		call, want, ok := strings.Cut(text, " -> ")
		if !ok {
			t.Fatalf("math.txt:%d: no ' -> ' in %q", line, text)
		}
		f := strings.Fields(call)
		n := make([]*big.Int, len(f)-1)
		for i, s := range f[1:] {
			var ok bool
			if n[i], ok = new(big.Int).SetString(s, 10); !ok {
				t.Fatalf("math.txt:%d: %q is not an integer", line, s)
			}
		}
		got, err := mathCall(f[0], n)
		if err != nil {
			t.Fatalf("math.txt:%d: %v", line, err)
		}
		if got != want {
			t.Errorf("math.txt:%d: %s -> %s, want %s", line, call, got, want)
		}
		cases++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cases < 20 {
		t.Fatalf("only %d cases read from math.txt", cases)
	}
}

// mathCall runs one line's operation on its arguments and formats the
// result as the table writes it.
func mathCall(op string, n []*big.Int) (string, error) {
	want := map[string]int{"swap_out": 4, "swap_in": 4, "initial_shares": 2, "deposit": 5, "withdraw": 4}[op]
	if want == 0 || len(n) != want {
		return "", errors.New("unknown operation or wrong argument count: " + op)
	}
	fee := func(b *big.Int) uint32 { return uint32(b.Uint64()) }
	join := func(xs ...*big.Int) string {
		s := make([]string, len(xs))
		for i, x := range xs {
			s[i] = x.String()
		}
		return strings.Join(s, " ")
	}
	switch op {
	case "swap_out":
		return SwapOut(n[0], n[1], n[2], fee(n[3])).String(), nil
	case "swap_in":
		in, err := SwapIn(n[0], n[1], n[2], fee(n[3]))
		if errors.Is(err, ErrInsufficientLiquidity) {
			return "insufficient", nil
		}
		if err != nil {
			return "", err
		}
		return in.String(), nil
	case "initial_shares":
		return InitialShares(n[0], n[1]).String(), nil
	case "deposit":
		return join(DepositShares(n[0], n[1], n[2], n[3], n[4])), nil
	default: // withdraw
		return join(WithdrawAmounts(n[0], n[1], n[2], n[3])), nil
	}
}
