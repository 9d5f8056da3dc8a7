module v1echo

go 1.24

require qmt-abigen.generated/go/querymt-extism-v1 v0.0.0

replace qmt-abigen.generated/go/querymt-extism-v1 => ../../../generated/go/querymt-extism-v1
