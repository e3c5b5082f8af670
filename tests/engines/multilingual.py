"""A multilingual corpus for the contract suite and tests/test_languages.py: short news articles written
for searchkit's tests (no outside source), in German, French, Spanish, Russian, Arabic, Chinese,
Japanese and English, with the inflected forms each language's analysis must bring together."""

from __future__ import annotations

import datetime as dt

from searchkit.articles import Article


def _article(article_id: str, date: str, language: str, headline: str, body: str) -> Article:
    return Article(article_id, dt.date.fromisoformat(date), headline, body, language=language)


WESTERN = (
    _article("de-flut", "2024-03-05", "de", "Hochwasser zerstört Häuser in Bayern",
             "Die Bundesregierung hat am Dienstag neue Hilfen für Familien beschlossen. Die Häuser in den "
             "betroffenen Gebieten sollen schneller wieder aufgebaut werden, sagte der Minister in Berlin."),
    _article("de-markt", "2024-03-06", "de", "Ein Haus in München kostet mehr",
             "Der Preis für ein Haus ist im Februar erneut gestiegen, teilte das Statistikamt mit."),
    _article("fr-secheresse", "2024-03-05", "fr", "Sécheresse : les éleveurs inquiets",
             "Le gouvernement a annoncé mardi un plan d'aide aux éleveurs. Les chevaux et les vaches touchés "
             "par la sécheresse recevront du fourrage, a déclaré la ministre à Paris."),
    _article("fr-course", "2024-03-07", "fr", "Un cheval gagne le Grand Prix",
             "Le cheval de l'écurie normande a remporté dimanche la course la plus riche de l'été."),
    _article("es-casas", "2024-03-05", "es", "Las inundaciones destruyen casas en Valencia",
             "El Gobierno aprobó el martes un nuevo plan de ayudas para las familias. Las casas dañadas "
             "serán reconstruidas antes del invierno, dijo el ministro en Madrid."),
    _article("ru-knigi", "2024-03-06", "ru", "Школы получат новые книги",
             "Правительство во вторник одобрило новый план помощи семьям. Книги для школьных библиотек "
             "будут закуплены до начала учебного года, сообщил министр в Москве."),
    _article("ru-kniga", "2024-03-08", "ru", "Книга года",
             "Жюри назвало лучшую книгу года; книга выйдет тиражом в десять тысяч экземпляров."),
    _article("ar-manazil", "2024-03-06", "ar", "الفيضانات تدمر المنازل",
             "أعلنت الحكومة يوم الثلاثاء عن خطة جديدة لدعم الأسر. وقال الوزير في القاهرة إن المنازل "
             "المتضررة من الفيضانات سيعاد بناؤها قبل الشتاء."),
    _article("en-floods", "2024-03-05", "en", "Floods damage houses",
             "The government announced a new plan on Tuesday to support families. Houses damaged by the "
             "floods will be rebuilt before winter, the minister said in London."),
)
CJK = (
    _article("zh-hongshui", "2024-03-06", "zh", "洪水过后重建房屋",
             "政府周二宣布了一项支持家庭的新计划。部长在北京表示，受洪水影响的房屋将在冬季之前重建。"),
    _article("ja-kouzui", "2024-03-06", "ja", "洪水の被害を受けた住宅を再建",
             "政府は火曜日、家族を支援する新しい計画を発表した。大臣は東京で、洪水で被害を受けた住宅は冬までに"
             "再建されると述べた。"),
)

#: Queries every engine must answer as the reference does on the corpus, and what they find.
EXPECTED = {
    "Haus": {"de-flut", "de-markt"},          # Häuser and Haus: one German stem
    "Häuser": {"de-flut", "de-markt"},
    "cheval": {"fr-secheresse", "fr-course"},  # chevaux and cheval
    "chevaux": {"fr-secheresse", "fr-course"},
    "casa": {"es-casas"},
    "книга": {"ru-knigi", "ru-kniga"},        # книги, книгу, книга
    "книги": {"ru-knigi", "ru-kniga"},
    "منازل": {"ar-manazil"},                    # المنازل, with the article
    "المَنازِل": {"ar-manazil"},                  # with harakat
    "houses": {"en-floods"},
    '"Häuser in Bayern"': {"de-flut"},
    "lang:ru": {"ru-knigi", "ru-kniga"},
    "Haus lang:fr": set(),
    "minister lang:de": {"de-flut"},
    "(lang:de OR lang:fr) -cheval": {"de-flut", "de-markt"},
    "Häus*": {"de-flut", "de-markt"},
    # Stop words of an article's language are not its words: alone they find nothing in it; beside
    # other words they constrain nothing there (an English "die" would still have to be found).
    "die Häuser": {"de-flut", "de-markt"},
    "die": set(),
    "die der": set(),
    "le cheval": {"fr-secheresse", "fr-course"},
    "las casas lang:es": {"es-casas"},
    '"Häuser in den Gebieten"': set(),  # "Häuser in den betroffenen Gebieten": a word between
    '"Häuser in den betroffenen Gebieten"': {"de-flut"},
    "the houses": {"en-floods"},  # English keeps its stop words
    "die -cheval": set(),
}
THAI = (
    _article("th-phailaeng", "2024-03-06", "th", "รัฐบาลช่วยเหลือเกษตรกรจากภัยแล้ง",
             "รัฐบาลประกาศแผนช่วยเหลือเกษตรกรที่ได้รับผลกระทบจากภัยแล้ง นายกรัฐมนตรีกล่าวที่กรุงเทพฯ "
             "เมื่อวันอังคาร"),
    _article("th-namthuam", "2024-03-07", "th", "น้ำท่วมบ้านเรือนในเชียงใหม่",
             "น้ำท่วมหนักทำให้บ้านเรือนหลายร้อยหลังได้รับความเสียหาย เจ้าหน้าที่กล่าวว่าเกษตรกรต้องการ"
             "ความช่วยเหลือ"),
)
#: Thai writes no spaces between words: each is found inside its sentence.
THAI_EXPECTED = {
    "เกษตรกร": {"th-phailaeng", "th-namthuam"},  # farmers
    "ภัยแล้ง": {"th-phailaeng"},                 # drought
    "น้ำท่วม": {"th-namthuam"},                  # flood
    '"ได้รับผลกระทบ"': {"th-phailaeng"},         # "were affected": two words, in order
    "เชียงใหม่ lang:th": {"th-namthuam"},
}
CJK_EXPECTED = {
    "洪水": {"zh-hongshui", "ja-kouzui"},        # a word inside a Chinese (and a Japanese) sentence
    "房屋": {"zh-hongshui"},
    '"洪水影响"': {"zh-hongshui"},
    "住宅": {"ja-kouzui"},
    "再建": {"ja-kouzui"},
    "洪水 lang:ja": {"ja-kouzui"},
}
