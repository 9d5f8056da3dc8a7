module qmt-abigen.generated/go/querymt-extism-v1

go 1.24
