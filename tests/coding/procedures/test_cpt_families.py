"""CPT family rules: endoscopy variants, laparoscopic vs open, ECG, splints, joint injections."""

from __future__ import annotations


def test_colonoscopy_snare_polypectomy_replaces_base(propose):
    got = propose(
        "COLONOSCOPY REPORT\nProcedure: Colonoscope advanced to the cecum.\n"
        "Findings: 6 mm polyp in the sigmoid colon removed with cold snare.\n",
        note_type="procedure_note",
    )
    assert "45385" in got and "45378" not in got
    assert got["45385"].score >= 0.8
    assert any(e.text == "snare" for e in got["45385"].evidence)


def test_colonoscopy_with_biopsy_and_snare_codes_both(propose):
    got = propose(
        "Procedure: Colonoscopy to the cecum. Random biopsies of the colon taken for microscopic colitis. "
        "A 5 mm polyp in the transverse colon was removed by hot snare.",
        note_type="procedure_note",
    )
    assert {"45380", "45385"} <= set(got) and "45378" not in got


def test_colonoscopy_without_intervention_is_base_code(propose):
    got = propose("Procedure: Screening colonoscopy to the cecum. Findings: normal colon.", note_type="procedure_note")
    assert "45378" in got and "45380" not in got


def test_egd_with_biopsy(propose):
    got = propose("Procedure: EGD. Findings: antral erythema; cold forceps biopsies taken.", note_type="procedure_note")
    assert "43239" in got and "43235" not in got


def test_laparoscopic_vs_open_cholecystectomy(propose):
    lap = propose("Operation: Laparoscopic cholecystectomy. Four trocars placed.", note_type="operative_report")
    assert "47562" in lap and "47600" not in lap
    assert "approach: laparoscopic" in lap["47562"].rationale
    cholangio = propose(
        "Operation: Laparoscopic cholecystectomy with intraoperative cholangiogram.", note_type="operative_report"
    )
    assert "47563" in cholangio
    opened = propose(
        "Operation: Open cholecystectomy through a right subcostal incision.", note_type="operative_report"
    )
    assert "47600" in opened and "47562" not in opened


def test_appendectomy_approach(propose):
    assert "44970" in propose("Procedure: laparoscopic appendectomy.", note_type="operative_report")
    assert "44950" in propose("Procedure: open appendectomy via McBurney incision.", note_type="operative_report")


def test_ecg_clinic_vs_ed_interpretation(propose):
    assert "93000" in propose("ECG today: sinus rhythm, rate 70, no ST changes.")
    ed = propose("ECG: sinus tachycardia 110, no ST elevation; I personally interpreted.", setting="emergency")
    assert "93010" in ed and "93000" not in ed
    assert "93010" not in propose("ECG: sinus rhythm, normal intervals.", setting="emergency")


def test_splint_and_knee_injection(propose):
    got = propose("ED course: posterior short leg splint applied by me.", setting="emergency")
    assert "29515" in got
    knee = propose("Procedure: right knee intra-articular injection with triamcinolone, injected into the knee joint.")
    assert "20610" in knee
    knee_us = propose("Procedure: left knee arthrocentesis under ultrasound guidance, 30 mL aspirated.")
    assert "20611" in knee_us and "20610" not in knee_us


def test_office_procedures(propose):
    assert "11981" in propose("Procedure: Nexplanon insertion, left arm; implant placed subdermally.")
    assert "30901" in propose("Anterior epistaxis; silver nitrate cauterization performed.", setting="emergency")
    assert "23650" in propose("Closed reduction of the shoulder dislocation under sedation.", setting="emergency")
    fb = propose("Fishhook foreign body removed from the right index finger.", setting="emergency")
    assert "10120" in fb


def test_abbreviations_that_are_not_procedures(propose):
    got = propose("Smoker, 1 ppd x 20 years. ESI level 3. Stress test scheduled next week.")
    assert not {"86580", "62323", "93015"} & set(got)
