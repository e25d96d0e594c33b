"""XML sources from legislation.gov.uk: XPath on namespaced documents, and dates that move.

The snippets follow the shape legislation.gov.uk publishes: CLML puts every element
in a default namespace (metadata under the ukm and dc prefixes) and writes a
statutory instrument's dates as <MadeDate>/<ComingIntoForce> with a <Text> label and
a <DateText> such as "1st January 2016"; its Akoma Ntoso keeps the dates as
<block name="commenceDate"> with a <docDate>. Prefixes may be declared on an inner
element, as the Akoma Ntoso <proprietary> block does below.
"""

from __future__ import annotations

import pytest

from apps.sources import services
from apps.sources.diffing import significance
from apps.sources.extraction import ExtractionError, extract
from apps.sources.models import Change, Source
from tests.local_http import Page
from tests.paths import FIXTURES


def clml(coming_into_force: str = "1st January 2016", made: str = "16th November 2015") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    DocumentURI="http://www.legislation.gov.uk/uksi/2015/2000/made">
  <ukm:Metadata xmlns:ukm="http://www.legislation.gov.uk/namespaces/metadata">
    <dc:title>The Example (Amendment) Regulations 2015</dc:title>
    <ukm:SecondaryMetadata><ukm:Year Value="2015"/><ukm:Number Value="2000"/>
    </ukm:SecondaryMetadata>
  </ukm:Metadata>
  <Secondary>
    <SecondaryPrelims>
      <Number>2015 No. 2000</Number>
      <Title>The Example (Amendment) Regulations 2015</Title>
      <MadeDate><Text>Made</Text><DateText>{made}</DateText></MadeDate>
      <ComingIntoForce><Text>Coming into force</Text><DateText>{coming_into_force}</DateText>
      </ComingIntoForce>
    </SecondaryPrelims>
    <Body><P1group><Title>Citation and commencement</Title>
      <P1><Pnumber>1</Pnumber><P1para><Text>These Regulations may be cited as the Example
      (Amendment) Regulations 2015.</Text></P1para></P1></P1group></Body>
  </Secondary>
</Legislation>""".encode()


def akoma_ntoso(commence: str = "6th April 2016", iso: str = "2016-04-06") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
  <act name="uksi">
    <meta>
      <identification source="#">
        <FRBRWork><FRBRthis value="/akn/uk/secondary/uksi/2016/123"/></FRBRWork>
      </identification>
      <proprietary source="#" xmlns:ukm="http://www.legislation.gov.uk/namespaces/metadata">
        <ukm:SecondaryMetadata><ukm:Year Value="2016"/><ukm:Number Value="123"/>
        </ukm:SecondaryMetadata>
      </proprietary>
    </meta>
    <preface>
      <container name="dates">
        <block name="madeDate"><span>Made</span><docDate date="2016-03-16">16th March 2016</docDate>
        </block>
        <block name="commenceDate"><span>Coming into force</span>
          <docDate date="{iso}">{commence}</docDate></block>
      </container>
    </preface>
  </act>
</akomaNtoso>""".encode()


def test_an_unprefixed_path_selects_clml_elements_in_the_default_namespace() -> None:
    result = extract("xml", clml(), selector="//ComingIntoForce/DateText")

    assert (result.matched, result.text) == (True, "1st January 2016")


def test_a_prefix_declared_on_the_root_selects_its_elements() -> None:
    assert extract("xml", clml(), selector="//dc:title").text == (
        "The Example (Amendment) Regulations 2015"
    )


@pytest.mark.parametrize(
    ("body", "selector", "text"),
    [
        (clml(), "//ukm:Year/@Value", "2015"),
        (akoma_ntoso(), "//ukm:SecondaryMetadata/ukm:Number/@Value", "123"),
    ],
)
def test_a_prefix_declared_below_the_root_selects_its_elements(body, selector, text) -> None:
    assert extract("xml", body, selector=selector).text == text


def test_akoma_ntoso_dates_are_selected_by_name_and_attribute() -> None:
    body = akoma_ntoso()

    commence = extract("xml", body, selector="//block[@name='commenceDate']/docDate")
    assert commence.text == "6th April 2016"
    assert extract("xml", body, selector="//docDate[. = '6th April 2016']/@date").text == (
        "2016-04-06"
    )
    assert extract("xml", body, selector="count(//container/block)").text == "2.0"


def test_an_unprefixed_ignore_rule_drops_namespaced_elements() -> None:
    text = extract("xml", clml(), ignore=["//Metadata", "//Body"]).text

    assert "Example (Amendment) Regulations 2015" in text  # the prelims' <Title>
    assert "2015 No. 2000" in text
    assert "may be cited" not in text
    assert text.count("Example (Amendment) Regulations 2015") == 1  # not the dc:title


def test_a_prefix_no_one_declared_is_an_invalid_xpath() -> None:
    with pytest.raises(ExtractionError, match="invalid XPath"):
        extract("xml", clml(), selector="//akn:docDate")


def test_a_document_without_namespaces_is_selected_by_plain_names_as_before() -> None:
    body = (FIXTURES / "eurlex__formex_32024R1689_AI_Act.fmx.xml").read_bytes()

    result = extract("xml", body, selector="//ARTICLE[@IDENTIFIER='113']/TI.ART")

    assert result.text == "Article 113"


def _coming_into_force(body: bytes) -> str:
    return extract("xml", body, selector="//ComingIntoForce").text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("1st January 2016", "1st April 2016"),
        ("6 April 2016", "1 October 2016"),
        ("April 6, 2016", "October 1, 2016"),
    ],
)
def test_a_changed_coming_into_force_date_is_highly_significant_with_its_reason(
    before: str, after: str
) -> None:
    old, new = _coming_into_force(clml(before)), _coming_into_force(clml(after))

    assert old == f"Coming into force\n{before}"
    assert significance(old, new) == (
        "high",
        [f"coming into force date changed: {before} → {after}"],
    )


def test_a_changed_commencement_date_in_akoma_ntoso_is_highly_significant() -> None:
    selector = "//block[@name='commenceDate']"
    old = extract("xml", akoma_ntoso(), selector=selector).text
    new = extract("xml", akoma_ntoso("1st October 2016", "2016-10-01"), selector=selector).text

    level, reasons = significance(old, new)

    assert level == "high"
    assert reasons == ["coming into force date changed: 6th April 2016 → 1st October 2016"]


def test_another_changed_date_is_of_medium_significance_with_its_reason() -> None:
    old = extract("xml", clml(), selector="//MadeDate").text
    new = extract("xml", clml(made="17th November 2015"), selector="//MadeDate").text

    assert significance(old, new) == (
        "medium",
        ["date changed: 16th November 2015 → 17th November 2015"],
    )


def test_the_same_date_written_another_way_is_no_change_of_date() -> None:
    old, new = _coming_into_force(clml("6 April 2016")), _coming_into_force(clml("6th April 2016"))

    assert significance(old, new) == ("low", [])


@pytest.mark.django_db
def test_a_watched_instrument_whose_coming_into_force_date_moves_is_a_high_change(
    local_site, settings
) -> None:
    settings.SOURCES_ALLOW_PRIVATE = True
    local_site.pages["/uksi/2015/2000/data.xml"] = Page(clml(), "application/xml")
    source = Source.objects.create(
        name="legislation.gov.uk: SI 2015/2000",
        kind="xml",
        selector="//SecondaryPrelims",
        url=local_site.url("/uksi/2015/2000/data.xml"),
    )
    assert services.check_source(source.pk).outcome == "baseline"
    local_site.pages["/uksi/2015/2000/data.xml"] = Page(clml("1st April 2016"), "application/xml")

    assert services.check_source(source.pk).outcome == "changed"
    change = Change.objects.get(source=source)
    assert change.significance == "high"
    assert change.reasons == ["coming into force date changed: 1st January 2016 → 1st April 2016"]
