module v2echo

go 1.24

require qmt-abigen.generated/go/querymt-extism-v2 v0.0.0

replace qmt-abigen.generated/go/querymt-extism-v2 => ../../../generated/go/querymt-extism-v2
