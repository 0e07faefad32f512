"""CPT across the common families, written the way notes say it: each case asserts the code and its evidence."""

from __future__ import annotations

import pytest

OP, PROC, ED, OFFICE, RAD = "operative_report", "procedure_note", "ed_note", "progress_note", "radiology_report"

# (note text, note type, setting, expected code, words the evidence must include)
CASES = [
    # general surgery
    ("PROCEDURE: Right inguinal herniorrhaphy with mesh (Lichtenstein).", OP, "outpatient", "49505", "herniorrhaphy"),
    ("PROCEDURE: Laparoscopic TEP repair of recurrent left inguinal hernia.", OP, "outpatient", "49651", "TEP"),
    (
        "PROCEDURE: Umbilical hernia repair. Findings: 1.5 cm fascial defect, reducible.",
        OP,
        "outpatient",
        "49591",
        "Umbilical hernia repair",
    ),
    (
        "PROCEDURE: Open repair of incarcerated ventral hernia, defect 5 cm.",
        OP,
        "outpatient",
        "49594",
        "ventral hernia",
    ),
    ("OPERATION: Laparoscopic right hemicolectomy.", OP, "outpatient", "44205", "hemicolectomy"),
    ("PROCEDURE: Diagnostic laparoscopy.", OP, "outpatient", "49320", "Diagnostic laparoscopy"),
    ("PROCEDURE: Excision of right axillary lymph node.", OP, "outpatient", "38525", "lymph node"),
    ("PROCEDURE: Left breast lumpectomy with wire localization for DCIS.", OP, "outpatient", "19301", "lumpectomy"),
    (
        "PROCEDURE: Ultrasound-guided core needle biopsy of the left breast mass.",
        PROC,
        "outpatient",
        "19083",
        "core needle biopsy of the left breast",
    ),
    ("PROCEDURE: Total thyroidectomy.", OP, "outpatient", "60240", "thyroidectomy"),
    ("PROCEDURE: Insertion of right subclavian Port-A-Cath.", OP, "outpatient", "36561", "Port"),
    # endoscopy
    (
        "PROCEDURE: ERCP with biliary sphincterotomy and balloon sweep; stones removed.",
        PROC,
        "outpatient",
        "43262",
        "ERCP",
    ),
    (
        "Procedure: Gastroscopy. Findings: normal esophagus, stomach and duodenum.",
        PROC,
        "outpatient",
        "43235",
        "Gastroscopy",
    ),
    (
        "Procedure: Flexible bronchoscopy with bronchoalveolar lavage of the right middle lobe.",
        PROC,
        "outpatient",
        "31624",
        "bronchoscopy",
    ),
    ("Procedure: EBUS-TBNA of stations 4R, 7 and 11L.", PROC, "outpatient", "31653", "EBUS"),
    # urology / gynecology
    (
        "PROCEDURE: Cystoscopy, right retrograde pyelogram, right ureteral stent placement.",
        OP,
        "outpatient",
        "52332",
        "Cystoscopy",
    ),
    (
        "PROCEDURE: Right ureteroscopy with holmium laser lithotripsy and stent placement.",
        OP,
        "outpatient",
        "52356",
        "ureteroscopy",
    ),
    (
        "PROCEDURE: Transrectal ultrasound-guided prostate biopsy, 12 cores.",
        PROC,
        "outpatient",
        "55700",
        "prostate biopsy",
    ),
    ("PROCEDURE: Bilateral vasectomy.", PROC, "outpatient", "55250", "vasectomy"),
    (
        "PROCEDURE: Total laparoscopic hysterectomy with bilateral salpingo-oophorectomy.",
        OP,
        "outpatient",
        "58571",
        "hysterectomy",
    ),
    ("PROCEDURE: Hysteroscopy with dilation and curettage and polypectomy.", OP, "outpatient", "58558", "Hysteroscopy"),
    (
        "PROCEDURE: Suction dilation and curettage for missed abortion at 9 weeks.",
        OP,
        "outpatient",
        "59820",
        "dilation and curettage",
    ),
    ("Procedure: LEEP of the cervix for CIN 3.", PROC, "outpatient", "57522", "LEEP"),
    (
        "Mirena IUD removed today without difficulty; strings grasped with ring forceps.",
        OFFICE,
        "outpatient",
        "58301",
        "IUD removed",
    ),
    # orthopedics
    ("PROCEDURE: Right knee arthroscopy with partial medial meniscectomy.", OP, "outpatient", "29881", "arthroscopy"),
    (
        "PROCEDURE: Left shoulder arthroscopy with rotator cuff repair and subacromial decompression.",
        OP,
        "outpatient",
        "29827",
        "arthroscopy",
    ),
    ("PROCEDURE: Left carpal tunnel release.", OP, "outpatient", "64721", "carpal tunnel release"),
    ("PROCEDURE: Right ring trigger finger release.", OP, "outpatient", "26055", "trigger finger release"),
    ("PROCEDURE: Excision of dorsal wrist ganglion cyst.", OP, "outpatient", "25111", "ganglion"),
    (
        "PROCEDURE: Open reduction and internal fixation of left bimalleolar ankle fracture.",
        OP,
        "outpatient",
        "27814",
        "internal fixation",
    ),
    ("PROCEDURE: ORIF right distal radius fracture with volar locking plate.", OP, "outpatient", "25607", "ORIF"),
    (
        "PROCEDURE: Left L4-L5 transforaminal epidural steroid injection under fluoroscopy.",
        PROC,
        "outpatient",
        "64483",
        "transforaminal epidural",
    ),
    (
        "PROCEDURE: Bilateral L4-L5 and L5-S1 lumbar facet joint injections under fluoroscopy.",
        PROC,
        "outpatient",
        "64493",
        "facet joint injection",
    ),
    (
        "Procedure: Right greater occipital nerve block with 2 mL 0.5% bupivacaine.",
        PROC,
        "outpatient",
        "64405",
        "occipital nerve block",
    ),
    # ED procedures
    (
        "ED course: Closed reduction of left distal radius fracture performed by me under hematoma block; sugar-tong "
        "splint applied.",
        ED,
        "emergency",
        "25605",
        "Closed reduction",
    ),
    (
        "ED course: Nursemaid's elbow; radial head subluxation reduced by supination-flexion, child using arm after.",
        ED,
        "emergency",
        "24640",
        "Nursemaid",
    ),
    (
        "Procedure: Incision and drainage of perianal abscess; 5 mL pus expressed.",
        ED,
        "emergency",
        "46050",
        "perianal abscess",
    ),
    (
        "Procedure: Subungual hematoma of the right thumb decompressed by nail trephination.",
        ED,
        "emergency",
        "11740",
        "Subungual hematoma",
    ),
    (
        "Procedure: Right chest tube (28 Fr) placed in the 5th intercostal space for pneumothorax.",
        ED,
        "emergency",
        "32551",
        "chest tube",
    ),
    (
        "Procedure: Right radial arterial line placed under ultrasound guidance.",
        ED,
        "emergency",
        "36620",
        "arterial line",
    ),
    # office medicine and tests
    ("Holter monitor (24 hours) report: sinus rhythm, rare PVCs, no pauses.", PROC, "outpatient", "93224", "Holter"),
    (
        "Pacemaker interrogation today: normal battery and lead function.",
        OFFICE,
        "outpatient",
        "93288",
        "Pacemaker interrogation",
    ),
    (
        "Spirometry with pre and post bronchodilator: FEV1 62%, 15% improvement after albuterol.",
        OFFICE,
        "outpatient",
        "94060",
        "Spirometry",
    ),
    ("Rapid strep test done in office: negative.", OFFICE, "outpatient", "87880", "Rapid strep"),
    ("Urine pregnancy test in clinic today: negative.", OFFICE, "outpatient", "81025", "Urine pregnancy"),
    ("Counseled on smoking cessation for 5 minutes; offered nicotine patch.", OFFICE, "outpatient", "99406", "smoking"),
    (
        "Procedure: Cryotherapy with liquid nitrogen to 6 actinic keratoses on the scalp.",
        PROC,
        "outpatient",
        "17000",
        "Cryotherapy",
    ),
    (
        "Procedure: Cryotherapy with liquid nitrogen to 6 actinic keratoses on the scalp.",
        PROC,
        "outpatient",
        "17003",
        "Cryotherapy",
    ),
    (
        "Procedure: Intralesional triamcinolone injection of 2 keloids on the chest.",
        PROC,
        "outpatient",
        "11900",
        "Intralesional",
    ),
    (
        "Procedure: Excision of a 1.2 cm epidermal cyst of the upper back with 2 mm margins.",
        PROC,
        "outpatient",
        "11402",
        "Excision",
    ),
    (
        "Procedure: Excision of biopsy-proven basal cell carcinoma of the left cheek, 0.8 cm lesion with 4 mm margins.",
        PROC,
        "outpatient",
        "11642",
        "Excision",
    ),
    (
        "Procedure: Shave removal of a 0.6 cm seborrheic keratosis from the right forearm.",
        PROC,
        "outpatient",
        "11301",
        "Shave removal",
    ),
    ("PROCEDURE: Excision of 4 cm lipoma of the left thigh.", OP, "outpatient", "27337", "Excision"),
    (
        "Procedure: Intravitreal injection of aflibercept, right eye.",
        PROC,
        "outpatient",
        "67028",
        "Intravitreal injection",
    ),
    ("Procedure: Incision and curettage of left upper eyelid chalazion.", PROC, "outpatient", "67800", "chalazion"),
    (
        "PROCEDURE: Phacoemulsification with posterior chamber intraocular lens, right eye.",
        OP,
        "outpatient",
        "66984",
        "Phacoemulsification",
    ),
    (
        "PROCEDURE: Bilateral myringotomy with tympanostomy tube placement under general anesthesia.",
        OP,
        "outpatient",
        "69436",
        "myringotomy",
    ),
    (
        "PROCEDURE: Tonsillectomy and adenoidectomy. 7-year-old boy with obstructive sleep apnea.",
        OP,
        "outpatient",
        "42820",
        "Tonsillectomy",
    ),
]


@pytest.mark.parametrize(("text", "note_type", "setting", "code", "words"), CASES)
def test_common_procedures(propose, text, note_type, setting, code, words):
    got = propose(text, setting=setting, note_type=note_type)
    assert code in got, sorted(got)
    assert got[code].score >= 0.65
    assert any(words.lower() in e.text.lower() for e in got[code].evidence), [e.text for e in got[code].evidence]


@pytest.mark.parametrize(
    ("text", "note_type", "absent"),
    [
        # an operation mentioned in the history of an office note is not this encounter's procedure
        ("PMH: HTN. s/p right TKA 2019, lap chole 2015. Here for BP follow-up.", OFFICE, {"27447", "47562"}),
        ("Hx: BCC R nasal ala 2017, Mohs. Otherwise healthy.", OFFICE, {"17311", "17313"}),
        (
            "Indication: h/o bladder cancer, TURBT 03/2023, surveillance. Procedure: Flexible cystoscopy.",
            PROC,
            {"52234", "52235", "52240"},
        ),
        # a radiology report mentions prior surgery in its findings
        (
            "EXAM: CHEST PA AND LATERAL\nFINDINGS: Median sternotomy wires and intact CABG clips.",
            RAD,
            {"33533", "33510"},
        ),
        # anaesthesia acts inside an operative report are not the surgeon's procedures
        (
            "PROCEDURE: Laparoscopic appendectomy.\nANESTHESIA: General endotracheal; patient intubated. Foley "
            "catheter placed and removed at the end. EKG monitoring throughout.",
            OP,
            {"31500", "51702", "93000"},
        ),
        # a liver enzyme is not a laser procedure
        ("Labs: ALT 88, AST 71.", OFFICE, {"65855"}),
        # planned procedures
        ("Plan: refer for left knee arthroscopy; consider partial meniscectomy.", OFFICE, {"29881", "29870"}),
        ("Recommend inguinal hernia repair electively.", OFFICE, {"49505"}),
        ("Microhematuria: the patient is agreeable to cystoscopy in the near future.", OFFICE, {"52000"}),
        ("Reason for consultation: breast reconstruction post mastectomy.", OFFICE, {"19303", "19307"}),
        ("Procedure: Flexible sigmoidoscopy.\nBIOPSIES: None\nFindings: normal mucosa.", PROC, {"45331"}),
        ("The indications and benefits of EGD and colonoscopy were discussed.", OFFICE, {"43235", "45378"}),
    ],
)
def test_not_this_encounter(propose, text, note_type, absent):
    got = propose(text, note_type=note_type)
    assert not absent & set(got), sorted(got)


def test_splint_is_part_of_the_fracture_care(propose):
    got = propose(
        "Procedure: Closed reduction of R distal radius fracture, performed by me. Finger traps with counter-"
        "traction, reduction by manipulation, sugar-tong splint applied.",
        setting="emergency",
        note_type=ED,
    )
    assert "25605" in got
    assert not {"29125", "29130", "29105"} & set(got)


def test_procedure_list_is_read_before_the_narrative(propose):
    got = propose(
        "PROCEDURES PERFORMED:\n1. Exploratory laparotomy.\n2. Lysis of adhesions.\n3. Reversal of Hartmann's "
        "colostomy.\n4. Flexible sigmoidoscopy.\nDESCRIPTION: The colonoscope was advanced to the anastomosis.",
        note_type=OP,
    )
    assert "44626" in got and "45330" in got
    assert not {"49000", "44005", "45378"} & set(got)  # bundled into the colectomy; the scope used is not a colonoscopy


def test_peg_pull_snare_is_not_a_polypectomy(propose):
    got = propose(
        "PROCEDURE: Percutaneous endoscopic gastrostomy (PEG) tube placement. The wire was grasped with a snare "
        "and the tube pulled through.",
        note_type=PROC,
    )
    assert "43246" in got and "43251" not in got
