"""mock_server/formats/csv_files.py: reading an uploaded CSV file, its rows by column or by a mapping, and writing
rows as a download. Expected rows are written out by hand, or read by the stdlib's csv.DictReader (the reading
`rows_by_column` promises)."""

from __future__ import annotations

import csv
import io

import pytest
from werkzeug.datastructures import FileStorage

from mock_server.formats.csv_files import (
    CsvText,
    UnreadableCsv,
    columns_named_like,
    csv_download,
    rows_by_column,
    rows_by_mapping,
    uploaded_text,
)
from mock_server.validation import ValidRequest


def request_with(files: dict[str, bytes]) -> ValidRequest:
    return ValidRequest({}, {}, None, {name: FileStorage(io.BytesIO(raw), "f.csv") for name, raw in files.items()}, {})


def test_the_upload_is_utf8_text_without_its_byte_order_mark() -> None:
    assert uploaded_text(request_with({"file": "\ufeffname\nCafé\n".encode()})) == "name\nCafé\n"
    assert uploaded_text(request_with({"other": b"name\n"})) is None
    assert uploaded_text(request_with({"other": b"name\n"}), field="other") == "name\n"
    with pytest.raises(UnreadableCsv) as refused:
        uploaded_text(request_with({"file": "name\nCafé\n".encode("latin-1")}))
    assert refused.value.problem == "encoding" and "0xe9" in refused.value.detail


def test_the_header_is_read_before_the_rows_and_a_bad_row_is_found_only_when_read() -> None:
    table = CsvText(" Name ,stage_id \n" + "x" * (csv.field_size_limit() + 1) + ",1\n")
    assert table.header() == ["Name", "stage_id"]
    with pytest.raises(UnreadableCsv) as refused:
        table.rows()
    assert refused.value.problem == "syntax" and "field larger than field limit" in refused.value.detail
    assert CsvText("").header() == []
    table = CsvText("a,b\n\n1,2\r\n")
    assert (table.header(), table.rows()) == (["a", "b"], [[], ["1", "2"]])


DICT_READER_CASES = [
    "name,stage_id\nA,1\n",
    "name,stage_id\n\nA,1\n\n\nB,2\n,,\n",  # blank lines are no rows; ",," is one
    "name,stage_id,value\nShort,1\nLong,1,5,extra,more\n",  # short and long rows
    "name,x,name\nFirst,1,Second\nq,1\n",  # a column named twice, and a short row that lacks its second place
    'name,notes\n"Quoted, name","two\nlines"\n',
]


@pytest.mark.parametrize("text", DICT_READER_CASES)
def test_rows_by_column_read_as_csv_dictreader_does(text: str) -> None:
    expected = [{k: v for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
                for row in csv.DictReader(io.StringIO(text, newline=""))]
    table = CsvText(text)
    assert list(rows_by_column(table.header(), table.rows())) == expected


def test_rows_by_column_by_hand() -> None:
    rows = list(rows_by_column(["name", "x", "name"], [["First", "1", "Second"], [], ["q", "1"], ["a", "b", "c", "d"]]))
    assert rows == [{"name": "Second", "x": "1"}, {"x": "1"}, {"name": "c", "x": "b"}]


def test_rows_by_mapping_number_every_line_skip_blank_ones_and_read_a_repeated_column_first() -> None:
    header = ["n", "e", "n", "c"]
    rows = [[], ["A", " a@x.org ", "Second", "Acme"], [" ", ""], ["B"], ["C", "c@x.org", "", "Co", "extra"]]
    mapped = list(rows_by_mapping(header, rows, {"name": "n", "email": "e", "company": "c"}))
    assert mapped == [
        (2, {"name": "A", "email": "a@x.org", "company": "Acme"}),
        (4, {"name": "B", "email": "", "company": ""}),
        (5, {"name": "C", "email": "c@x.org", "company": "Co"}),
    ]


def test_columns_named_like_fields_ignore_case_and_punctuation() -> None:
    header = ["Full Name", "EMAIL", " Owner ID ", "owner_id", "--Phone--", "e-mail", "tags"]
    assert columns_named_like(["name", "email", "owner_id", "phone", "title"], header) == {
        "email": "EMAIL", "owner_id": "owner_id", "phone": "--Phone--"}


def test_a_download_writes_none_empty_and_booleans_in_words() -> None:
    response = csv_download([("id", "name", "is_won", "note"), (1, "A, Inc.", True, None), (2, 'Say "hi"', False, 0.5)],
                            "deals.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="deals.csv"'
    assert response.get_data(as_text=True) == 'id,name,is_won,note\n1,"A, Inc.",true,\n2,"Say ""hi""",false,0.5\n'
