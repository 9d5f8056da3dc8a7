module qmt-abigen.generated/go/fixture-echo-v3

go 1.24
