package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/riffchain/riffchain/app/keyring"
	"github.com/riffchain/riffchain/ledger"
)

// passphrase reads the keyring passphrase from RIFFCHAIN_KEYRING_PASSPHRASE,
// else from the terminal, else from the first line of stdin.
func passphrase() ([]byte, error) {
	if p, ok := os.LookupEnv("RIFFCHAIN_KEYRING_PASSPHRASE"); ok {
		return []byte(p), nil
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprint(os.Stderr, "Keyring passphrase: ")
		p, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		return p, err
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return nil, fmt.Errorf("read passphrase from stdin: %w", err)
	}
	return []byte(strings.TrimRight(line, "\r\n")), nil
}

// confirmPassphrase asks for the passphrase a second time on the terminal;
// the keyring calls it only when a first passphrase is being set.
func confirmPassphrase() ([]byte, error) {
	fmt.Fprint(os.Stderr, "Repeat the new keyring passphrase: ")
	p, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(os.Stderr)
	return p, err
}

func openKeyring() (*keyring.Keyring, error) {
	var opts []keyring.Option
	if _, env := os.LookupEnv("RIFFCHAIN_KEYRING_PASSPHRASE"); !env && term.IsTerminal(int(os.Stdin.Fd())) {
		opts = append(opts, keyring.WithConfirm(confirmPassphrase)) // typed: a typo must not lock the keys away
	}
	return keyring.Open(cfgHome(), cfg.GetString(flagBackend), passphrase, opts...)
}

// resolveAddress accepts a bech32 address or a key name.
func resolveAddress(s string) (ledger.Address, error) {
	if a, err := ledger.ParseAddress(s); err == nil {
		return a, nil
	}
	kr, err := openKeyring()
	if err != nil {
		return ledger.Address{}, err
	}
	info, err := kr.Resolve(s)
	if err != nil {
		return ledger.Address{}, fmt.Errorf("%q is neither an address nor a key: %w", s, err)
	}
	return info.Address, nil
}

func newKeysCmd() *cobra.Command {
	c := &cobra.Command{Use: "keys", Short: "Manage local ed25519 keys"}
	c.AddCommand(
		&cobra.Command{
			Use: "add NAME", Short: "Create a new key", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				kr, err := openKeyring()
				if err != nil {
					return err
				}
				info, err := kr.Add(args[0])
				if err != nil {
					return err
				}
				return emit(info)
			},
		},
		&cobra.Command{
			Use: "list", Short: "List keys", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				kr, err := openKeyring()
				if err != nil {
					return err
				}
				infos, err := kr.List()
				if err != nil {
					return err
				}
				if cfgOutput() == "json" {
					return emit(map[string]any{"keys": infos})
				}
				for _, i := range infos {
					fmt.Printf("%s\t%s\n", i.Name, i.Address)
				}
				return nil
			},
		},
		keysShowCmd(),
		&cobra.Command{
			Use: "export NAME", Short: "Print a key's private key (armored)", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				kr, err := openKeyring()
				if err != nil {
					return err
				}
				s, err := kr.ExportArmored(args[0])
				if err != nil {
					return err
				}
				if cfgOutput() == "json" {
					return emit(map[string]string{"name": args[0], "private_key": s})
				}
				fmt.Print(s)
				return nil
			},
		},
		&cobra.Command{
			Use: "import NAME FILE|-", Short: "Import a private key (hex seed or armored) from a file or stdin", Args: cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				var data []byte
				var err error
				if args[1] == "-" {
					data, err = readAllStdin()
				} else {
					data, err = os.ReadFile(args[1])
				}
				if err != nil {
					return fmt.Errorf("read key: %w", err)
				}
				kr, err := openKeyring()
				if err != nil {
					return err
				}
				info, err := kr.Import(args[0], strings.TrimSpace(string(data)))
				if err != nil {
					return err
				}
				return emit(info)
			},
		},
		&cobra.Command{
			Use: "delete NAME", Short: "Delete a key", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				kr, err := openKeyring()
				if err != nil {
					return err
				}
				if err := kr.Delete(args[0]); err != nil {
					return err
				}
				return emit(map[string]string{"deleted": args[0]})
			},
		},
	)
	return c
}

func keysShowCmd() *cobra.Command {
	var addrOnly bool
	c := &cobra.Command{
		Use: "show NAME", Short: "Show a key's address and public key", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := openKeyring()
			if err != nil {
				return err
			}
			info, err := kr.Show(args[0])
			if err != nil {
				return err
			}
			if addrOnly && cfgOutput() == "json" { // one JSON object, as every command prints
				return emit(map[string]any{"address": info.Address.String()})
			}
			if addrOnly {
				fmt.Println(info.Address)
				return nil
			}
			return emit(info)
		},
	}
	c.Flags().BoolVar(&addrOnly, "address", false, "print only the address (with -o json: {\"address\": ...})")
	return c
}

func readAllStdin() ([]byte, error) {
	var sb strings.Builder
	r := bufio.NewReader(os.Stdin)
	for {
		line, err := r.ReadString('\n')
		sb.WriteString(line)
		if err != nil {
			break
		}
	}
	return []byte(sb.String()), nil
}
