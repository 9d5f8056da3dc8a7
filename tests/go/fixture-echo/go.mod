module fixtureecho

go 1.24

require qmt-abigen.generated/go/fixture-echo-v3 v0.0.0

replace qmt-abigen.generated/go/fixture-echo-v3 => ../../golden/fixture-echo-v3/go/fixture-echo-v3
