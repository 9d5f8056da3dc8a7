module qmt-abigen.generated/go/querymt-extism-v2

go 1.24
