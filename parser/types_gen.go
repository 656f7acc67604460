// Code generated from system.data_type_families of ClickHouse 26.7; DO NOT EDIT.
// SELECT DISTINCT upper(name), if(alias_to != '', alias_to, name) FROM system.data_type_families
//     WHERE case_insensitive OR alias_to != ''

package parser

// catalogTypeNames maps the upper-cased name of every type family the server
// matches case-insensitively, and of every alias, to the family it stands
// for (TIMESTAMP → DateTime, decimal64 → Decimal64, CHARACTER LARGE OBJECT →
// String). TestTypeCatalog checks it against the server.
var catalogTypeNames = map[string]string{
	"BIGINT":                          "Int64",
	"BIGINT SIGNED":                   "Int64",
	"BIGINT UNSIGNED":                 "UInt64",
	"BINARY":                          "FixedString",
	"BINARY LARGE OBJECT":             "String",
	"BINARY VARYING":                  "String",
	"BIT":                             "UInt64",
	"BLOB":                            "String",
	"BOOL":                            "Bool",
	"BOOLEAN":                         "Bool",
	"BYTE":                            "Int8",
	"BYTEA":                           "String",
	"CHAR":                            "String",
	"CHAR LARGE OBJECT":               "String",
	"CHAR VARYING":                    "String",
	"CHARACTER":                       "String",
	"CHARACTER LARGE OBJECT":          "String",
	"CHARACTER VARYING":               "String",
	"CLOB":                            "String",
	"DATE":                            "Date",
	"DATE32":                          "Date32",
	"DATETIME":                        "DateTime",
	"DATETIME32":                      "DateTime32",
	"DATETIME64":                      "DateTime64",
	"DEC":                             "Decimal",
	"DECIMAL":                         "Decimal",
	"DECIMAL128":                      "Decimal128",
	"DECIMAL256":                      "Decimal256",
	"DECIMAL32":                       "Decimal32",
	"DECIMAL64":                       "Decimal64",
	"DOUBLE":                          "Float64",
	"DOUBLE PRECISION":                "Float64",
	"ENUM":                            "Enum",
	"FIXED":                           "Decimal",
	"FLOAT":                           "Float32",
	"GEOMETRY":                        "Geometry",
	"INET4":                           "IPv4",
	"INET6":                           "IPv6",
	"INT":                             "Int32",
	"INT SIGNED":                      "Int32",
	"INT UNSIGNED":                    "UInt32",
	"INT1":                            "Int8",
	"INT1 SIGNED":                     "Int8",
	"INT1 UNSIGNED":                   "UInt8",
	"INTEGER":                         "Int32",
	"INTEGER SIGNED":                  "Int32",
	"INTEGER UNSIGNED":                "UInt32",
	"JSON":                            "JSON",
	"LONGBLOB":                        "String",
	"LONGTEXT":                        "String",
	"MEDIUMBLOB":                      "String",
	"MEDIUMINT":                       "Int32",
	"MEDIUMINT SIGNED":                "Int32",
	"MEDIUMINT UNSIGNED":              "UInt32",
	"MEDIUMTEXT":                      "String",
	"NATIONAL CHAR":                   "String",
	"NATIONAL CHAR VARYING":           "String",
	"NATIONAL CHARACTER":              "String",
	"NATIONAL CHARACTER LARGE OBJECT": "String",
	"NATIONAL CHARACTER VARYING":      "String",
	"NCHAR":                           "String",
	"NCHAR LARGE OBJECT":              "String",
	"NCHAR VARYING":                   "String",
	"NUMERIC":                         "Decimal",
	"NVARCHAR":                        "String",
	"REAL":                            "Float32",
	"SET":                             "UInt64",
	"SIGNED":                          "Int64",
	"SINGLE":                          "Float32",
	"SMALLINT":                        "Int16",
	"SMALLINT SIGNED":                 "Int16",
	"SMALLINT UNSIGNED":               "UInt16",
	"TEXT":                            "String",
	"TIME":                            "Time",
	"TIME64":                          "Time64",
	"TIMESTAMP":                       "DateTime",
	"TINYBLOB":                        "String",
	"TINYINT":                         "Int8",
	"TINYINT SIGNED":                  "Int8",
	"TINYINT UNSIGNED":                "UInt8",
	"TINYTEXT":                        "String",
	"UNSIGNED":                        "UInt64",
	"VARBINARY":                       "String",
	"VARCHAR":                         "String",
	"VARCHAR2":                        "String",
	"YEAR":                            "UInt16",
}

// Generated from system.table_engines of ClickHouse 26.7:
// SELECT name FROM system.table_engines WHERE NOT supports_settings

// enginesWithoutSettings are the table engines that take no SETTINGS: the
// settings a CREATE gives such a table are query settings, applied to the
// CREATE and not stored. TestTypeCatalog checks it against the server.
var enginesWithoutSettings = map[string]bool{
	"Alias": true, "Buffer": true, "Dictionary": true, "FuzzJSON": true, "FuzzQuery": true, "GenerateRandom": true,
	"Hudi": true, "JDBC": true, "KeeperMap": true, "Loop": true, "MaterializedView": true, "Merge": true,
	"MongoDB": true, "Null": true, "ODBC": true, "Redis": true, "SQLite": true, "View": true, "WindowView": true,
}

// Generated from system.formats of ClickHouse 26.7:
// SELECT name FROM system.formats

// formatNames are the data formats, which tell an S3 engine's second
// argument from an access key. TestTypeCatalog checks it against the server.
var formatNames = map[string]bool{
	"Arrow": true, "ArrowStream": true, "Avro": true, "AvroConfluent": true, "BSONEachRow": true,
	"Buffers": true, "CSV": true, "CSVWithNames": true, "CSVWithNamesAndTypes": true, "CustomSeparated": true,
	"CustomSeparatedIgnoreSpaces": true, "CustomSeparatedIgnoreSpacesWithNames": true,
	"CustomSeparatedIgnoreSpacesWithNamesAndTypes": true, "CustomSeparatedWithNames": true,
	"CustomSeparatedWithNamesAndTypes": true, "DWARF": true, "Form": true, "GeoJSON": true, "Hash": true,
	"JSON": true, "JSONAsObject": true, "JSONAsString": true, "JSONColumns": true,
	"JSONColumnsWithMetadata": true, "JSONCompact": true, "JSONCompactColumns": true,
	"JSONCompactEachRow": true, "JSONCompactEachRowWithNames": true,
	"JSONCompactEachRowWithNamesAndTypes": true, "JSONCompactEachRowWithProgress": true,
	"JSONCompactStrings": true, "JSONCompactStringsEachRow": true, "JSONCompactStringsEachRowWithNames": true,
	"JSONCompactStringsEachRowWithNamesAndTypes": true, "JSONCompactStringsEachRowWithProgress": true,
	"JSONEachRow": true, "JSONEachRowWithProgress": true, "JSONL": true, "JSONLines": true,
	"JSONObjectEachRow": true, "JSONStrings": true, "JSONStringsEachRow": true,
	"JSONStringsEachRowWithProgress": true, "LineAsString": true, "LineAsStringWithNames": true,
	"LineAsStringWithNamesAndTypes": true, "MD": true, "Markdown": true, "MsgPack": true, "MySQLDump": true,
	"MySQLWire": true, "NDJSON": true, "Native": true, "Npy": true, "Null": true, "ODBCDriver2": true,
	"ORC": true, "One": true, "PNG": true, "Parquet": true, "ParquetMetadata": true, "PostgreSQLWire": true,
	"Pretty": true, "PrettyCompact": true, "PrettyCompactMonoBlock": true, "PrettyCompactNoEscapes": true,
	"PrettyCompactNoEscapesMonoBlock": true, "PrettyJSONEachRow": true, "PrettyJSONLines": true,
	"PrettyMonoBlock": true, "PrettyNDJSON": true, "PrettyNoEscapes": true, "PrettyNoEscapesMonoBlock": true,
	"PrettySpace": true, "PrettySpaceMonoBlock": true, "PrettySpaceNoEscapes": true,
	"PrettySpaceNoEscapesMonoBlock": true, "Prometheus": true, "Protobuf": true, "ProtobufList": true,
	"ProtobufSingle": true, "Raw": true, "RawBLOB": true, "RawWithNames": true, "RawWithNamesAndTypes": true,
	"Regexp": true, "RowBinary": true, "RowBinaryWithDefaults": true, "RowBinaryWithNames": true,
	"RowBinaryWithNamesAndTypes": true, "RowBinaryWithNamesAndTypesAndDefaults": true, "SQLInsert": true,
	"TSKV": true, "TSV": true, "TSVRaw": true, "TSVRawWithNames": true, "TSVRawWithNamesAndTypes": true,
	"TSVWithNames": true, "TSVWithNamesAndTypes": true, "TabSeparated": true, "TabSeparatedRaw": true,
	"TabSeparatedRawWithNames": true, "TabSeparatedRawWithNamesAndTypes": true, "TabSeparatedWithNames": true,
	"TabSeparatedWithNamesAndTypes": true, "Template": true, "TemplateIgnoreSpaces": true, "Values": true,
	"Vertical": true, "XML": true,
}
